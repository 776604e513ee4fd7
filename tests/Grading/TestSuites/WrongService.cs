using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StreamingTutorial.Grading.TestSuites;

/// <summary>
/// The reference solution with one realistic bug. <see cref="File"/> (under
/// tests/Grading/TestSuites/WrongServices/ChapterNN/) holds the members that differ, inside
/// classes named like the solution's: each replaces the solution's member of the same name
/// (and number of parameters), so the rest of the solution stays as it is.
/// </summary>
/// <param name="File">The file's name, without folder.</param>
/// <param name="Bug">The bug in plain words, as the learner reads it: "a ListFiles that also lists folders".</param>
/// <param name="Hint">What kind of test would catch it.</param>
public sealed record WrongService(string File, string Bug, string Hint)
{
    public override string ToString() => Bug;

    /// <summary>The solution's syntax trees with this service's members put in place of the solution's.</summary>
    public static IReadOnlyList<SyntaxTree> Apply(IReadOnlyList<SyntaxTree> solution, string patchText, string patchPath)
    {
        var patch = CSharpSyntaxTree.ParseText(patchText, InProcessCompiler.ParseOptions, patchPath);
        var patchRoot = (CompilationUnitSyntax)patch.GetRoot();
        var errors = patch.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"{patchPath} does not parse: {errors[0]}");
        }
        var classes = patchRoot.DescendantNodes().OfType<TypeDeclarationSyntax>().ToList();
        var used = new HashSet<TypeDeclarationSyntax>();
        var result = new List<SyntaxTree>();
        foreach (var tree in solution)
        {
            var root = (CompilationUnitSyntax)tree.GetRoot();
            var targets = root.DescendantNodes().OfType<TypeDeclarationSyntax>()
                .Select(t => (Target: t, Patch: classes.FirstOrDefault(c => c.Identifier.Text == t.Identifier.Text)))
                .Where(p => p.Patch is not null)
                .ToList();
            if (targets.Count == 0)
            {
                result.Add(tree);
                continue;
            }
            var newRoot = root.ReplaceNodes(targets.Select(t => t.Target), (original, _) =>
            {
                var patchClass = targets.First(t => t.Target == original).Patch!;
                used.Add(patchClass);
                return Merge(original, patchClass);
            });
            // The patch's usings join the file's, so its code means the same there.
            var missing = patchRoot.Usings.Where(u => newRoot.Usings.All(existing => existing.ToString() != u.ToString())).ToArray();
            newRoot = newRoot.AddUsings(missing);
            result.Add(tree.WithRootAndOptions(newRoot, tree.Options));
        }
        var unused = classes.Where(c => !used.Contains(c)).Select(c => c.Identifier.Text).ToList();
        if (unused.Count > 0)
        {
            throw new InvalidOperationException($"{patchPath} patches {string.Join(", ", unused)}, which the solution does not have.");
        }
        return result;
    }

    private static TypeDeclarationSyntax Merge(TypeDeclarationSyntax original, TypeDeclarationSyntax patch)
    {
        var merged = original;
        foreach (var member in patch.Members)
        {
            var key = Key(member);
            var existing = merged.Members.FirstOrDefault(m => Key(m) == key);
            // A method whose parameters no longer match the solution's would be added as an
            // overload nobody calls, and the "wrong" service would be right: refuse it.
            if (existing is null && member is MethodDeclarationSyntax method
                && merged.Members.OfType<MethodDeclarationSyntax>().Any(m => m.Identifier.Text == method.Identifier.Text))
            {
                throw new InvalidOperationException($"{original.Identifier.Text}.{method.Identifier.Text} in the patch has {method.ParameterList.Parameters.Count} parameters, "
                    + "which no method of that name in the solution has: update the wrong service to the solution's signature.");
            }
            merged = existing is null ? merged.AddMembers(member) : merged.ReplaceNode(existing, member.WithTriviaFrom(existing));
        }
        return merged;
    }

    private static string Key(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax m => $"method {m.Identifier.Text}/{m.ParameterList.Parameters.Count}",
        PropertyDeclarationSyntax p => $"member {p.Identifier.Text}",
        FieldDeclarationSyntax f => $"member {string.Join(",", f.Declaration.Variables.Select(v => v.Identifier.Text))}",
        ConstructorDeclarationSyntax c => $"ctor/{c.ParameterList.Parameters.Count}",
        BaseTypeDeclarationSyntax t => $"type {t.Identifier.Text}",
        _ => member.ToString(),
    };
}
