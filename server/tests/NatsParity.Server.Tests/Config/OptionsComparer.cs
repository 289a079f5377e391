using System.Collections;
using System.Reflection;

namespace NatsParity.Server.Tests.Config;

/// <summary>Go's checkOptionsEqual (reflect.DeepEqual of two Options): every public property of two options objects
/// compared by value, into lists and the server's own types; the paths of those that differ.</summary>
internal static class OptionsComparer
{
    public static List<string> Differences(object? a, object? b, string path = "options")
    {
        var diffs = new List<string>();
        Compare(a, b, path, diffs, depth: 0);
        return diffs;
    }

    private static void Compare(object? a, object? b, string path, List<string> diffs, int depth)
    {
        if (a is null || b is null)
        {
            if (!(a is null && b is null)) diffs.Add(path);
            return;
        }
        if (a.GetType() != b.GetType() || depth > 8)
        {
            if (!Equals(a, b)) diffs.Add(path);
            return;
        }
        switch (a)
        {
            case string or ValueType:
                if (!Equals(a, b)) diffs.Add(path);
                return;
            case IDictionary da:
            {
                var db = (IDictionary)b;
                if (da.Count != db.Count) { diffs.Add(path + ".Count"); return; }
                foreach (DictionaryEntry e in da)
                {
                    if (!db.Contains(e.Key)) diffs.Add($"{path}[{e.Key}]");
                    else Compare(e.Value, db[e.Key], $"{path}[{e.Key}]", diffs, depth + 1);
                }
                return;
            }
            case IEnumerable ea:
            {
                var la = ea.Cast<object?>().ToList();
                var lb = ((IEnumerable)b).Cast<object?>().ToList();
                if (la.Count != lb.Count) { diffs.Add(path + ".Count"); return; }
                for (int i = 0; i < la.Count; i++) Compare(la[i], lb[i], $"{path}[{i}]", diffs, depth + 1);
                return;
            }
        }
        if (a.GetType().Namespace?.StartsWith("NatsParity.Server", StringComparison.Ordinal) != true)
        {
            if (!Equals(a, b)) diffs.Add(path);
            return;
        }
        foreach (var p in a.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.GetMethod is null) continue;
            Compare(p.GetValue(a), p.GetValue(b), path + "." + p.Name, diffs, depth + 1);
        }
    }
}
