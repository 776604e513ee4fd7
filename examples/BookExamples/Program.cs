using StreamingTutorial.BookExamples;

// Runs every example of the book against its own server on 127.0.0.1, and prints what happened.
return await Examples.RunAllAsync(Console.Out) ? 0 : 1;
