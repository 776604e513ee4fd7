using System.Text;

namespace StreamingTutorial;

/// <summary>
/// What makes a file name safe to store: a plain name that stays inside the folder and names
/// the same one file on every operating system. Chapter 1's file service and chapter 3's
/// uploader both store files under names their clients chose, so both check them with this.
/// </summary>
public static class FileNameRules
{
    public const int MaxBytes = 255;

    // snippet: file-name-check
    /// <summary>Null when the name is acceptable; otherwise what is wrong with it.</summary>
    public static string? Check(string fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return "File name is empty.";
        }
        if (Encoding.UTF8.GetByteCount(fileName) > MaxBytes)
        {
            return $"File name is longer than {MaxBytes} bytes.";
        }
        if (fileName is "." or ".." || fileName.IndexOfAny(['/', '\\']) >= 0 || Path.IsPathRooted(fileName))
        {
            return $"File name '{fileName}' must be a plain name, without folders.";
        }
        if (HasForbiddenCharacter(fileName))
        {
            // Not echoed: the name may hold characters that would garble the message.
            return "File name contains a character that file names may not have: a control or direction-changing character, an unpaired surrogate, or one of : * ? \" < > |.";
        }
        if (!fileName.IsNormalized(NormalizationForm.FormC))
        {
            // "é" can be one character or "e" plus an accent: some systems treat both as one file, others as two.
            return $"File name '{fileName}' is not in Unicode normalization form C: write accented letters as single characters.";
        }
        if (fileName.EndsWith('.') || fileName.EndsWith(' '))
        {
            return $"File name '{fileName}' ends with a dot or a space, which Windows removes, so it would name another file.";
        }
        if (IsWindowsDeviceName(fileName))
        {
            return $"File name '{fileName}' is reserved for a device on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9).";
        }
        return null;
    }
    // end snippet

    private static bool HasForbiddenCharacter(string fileName)
    {
        for (var i = 0; i < fileName.Length; i++)
        {
            var c = fileName[i];
            if (char.IsHighSurrogate(c) && i + 1 < fileName.Length && char.IsLowSurrogate(fileName[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsControl(c) || char.IsSurrogate(c) || c is ':' or '*' or '?' or '"' or '<' or '>' or '|'
                || c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                return true;
            }
        }
        return false;
    }

    // Windows reserves these names with any extension ("nul.txt"), in any case.
    private static bool IsWindowsDeviceName(string fileName)
    {
        var stem = fileName.Split('.')[0].TrimEnd(' ').ToUpperInvariant();
        return stem is "CON" or "PRN" or "AUX" or "NUL"
            || (stem.Length == 4 && (stem.StartsWith("COM", StringComparison.Ordinal) || stem.StartsWith("LPT", StringComparison.Ordinal))
                && stem[3] is (>= '0' and <= '9') or '\u00B9' or '\u00B2' or '\u00B3');
    }
}
