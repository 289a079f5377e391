using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Gherkin.Ast;

namespace NatsParity.Conformance.Scenarios;

/// <summary>Binds a step method to step text by a regular expression anchored at both ends.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class StepAttribute(string pattern) : Attribute
{
    public string Pattern { get; } = pattern;
}

/// <summary>Finds the step method for a step's text and calls it with the captured groups, then the doc string or table.</summary>
public static class StepBinder
{
    private sealed record Binding(Regex Pattern, MethodInfo Method);

    private static readonly Lazy<List<Binding>> Bindings = new(() =>
        typeof(StepBinder).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetCustomAttributes<StepAttribute>().Select(a => new Binding(new Regex("^" + a.Pattern + "$", RegexOptions.CultureInvariant), m)))
            .ToList());

    public static async Task RunAsync(Step step, ScenarioWorld world)
    {
        var matches = Bindings.Value.Select(b => (b, m: b.Pattern.Match(step.Text))).Where(x => x.m.Success).ToList();
        if (matches.Count == 0) throw new InvalidOperationException(Undefined(step));
        if (matches.Count > 1)
            throw new InvalidOperationException($"Step \"{step.Text}\" is ambiguous: {string.Join(", ", matches.Select(x => x.b.Method.Name))}");
        var (binding, match) = matches[0];
        var parameters = binding.Method.GetParameters();
        var args = new object?[parameters.Length];
        int g = 1;
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (p.ParameterType == typeof(DocString) || p.ParameterType == typeof(DataTable))
            {
                args[i] = p.ParameterType == typeof(DocString)
                    ? step.DocString ?? throw new InvalidOperationException($"Step \"{step.Text}\" needs a doc string")
                    : step.DataTable ?? throw new InvalidOperationException($"Step \"{step.Text}\" needs a data table");
                continue;
            }
            var text = match.Groups[g++].Value;
            args[i] = p.ParameterType == typeof(int) ? int.Parse(text, CultureInfo.InvariantCulture) : text;
        }
        object? result;
        try
        {
            result = binding.Method.Invoke(world, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        if (result is Task t) await t;
    }

    /// <summary>The failure for a step no method binds: its text and a method to paste into a steps class.</summary>
    public static string Undefined(Step step)
    {
        var pattern = new StringBuilder();
        var parms = new List<string>();
        int n = 0;
        foreach (var part in Regex.Split(step.Text, "(\"[^\"]*\"|\\b\\d+\\b)"))
        {
            if (part.StartsWith('"')) { pattern.Append("\"([^\"]*)\""); parms.Add($"string p{n++}"); }
            else if (part.Length > 0 && part.All(char.IsDigit)) { pattern.Append("(\\d+)"); parms.Add($"int p{n++}"); }
            else pattern.Append(Regex.Escape(part));
        }
        if (step.DocString is not null) parms.Add("DocString doc");
        if (step.DataTable is not null) parms.Add("DataTable table");
        var name = new string(Regex.Replace(step.Text, "\"[^\"]*\"|[^A-Za-z ]", "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => char.ToUpperInvariant(w[0]) + w[1..]).SelectMany(w => w).ToArray());
        return $"Undefined step: \"{step.Keyword.Trim()} {step.Text}\"\nAdd a step method such as:\n" +
               $"    [Step(@\"{pattern.ToString().Replace("\"", "\"\"")}\")]\n    public void {name}({string.Join(", ", parms)}) {{ ... }}";
    }
}
