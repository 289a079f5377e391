using System.Text;

namespace NatsParity.Testing;

/// <summary>A line-based unified diff (LCS), for golden transcripts and differential sessions.</summary>
public static class UnifiedDiff
{
    public static string Create(string expected, string actual, string expectedName = "expected", string actualName = "actual", int context = 3)
    {
        var a = Lines(expected);
        var b = Lines(actual);
        int n = a.Length, m = b.Length;
        var lcs = new int[n + 1, m + 1];
        for (int i = n - 1; i >= 0; i--)
            for (int j = m - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);

        var ops = new List<(char Op, string Line, int A, int B)>();
        int x = 0, y = 0;
        while (x < n || y < m)
        {
            if (x < n && y < m && a[x] == b[y]) { ops.Add((' ', a[x], x, y)); x++; y++; }
            else if (y < m && (x == n || lcs[x, y + 1] >= lcs[x + 1, y])) { ops.Add(('+', b[y], x, y)); y++; }
            else { ops.Add(('-', a[x], x, y)); x++; }
        }
        if (ops.All(o => o.Op == ' ')) return "";

        var sb = new StringBuilder().Append("--- ").Append(expectedName).Append('\n').Append("+++ ").Append(actualName).Append('\n');
        int k = 0;
        while (k < ops.Count)
        {
            if (ops[k].Op == ' ') { k++; continue; }
            int start = Math.Max(0, k - context);
            int end = k;
            while (end < ops.Count)
            {
                if (ops[end].Op != ' ') { end++; continue; }
                int run = 0;
                while (end + run < ops.Count && ops[end + run].Op == ' ') run++;
                if (end + run >= ops.Count || run > 2 * context) { end = Math.Min(ops.Count, end + Math.Min(run, context)); break; }
                end += run;
            }
            var hunk = ops.GetRange(start, end - start);
            int aStart = hunk[0].A + 1, bStart = hunk[0].B + 1;
            int aLen = hunk.Count(o => o.Op != '+'), bLen = hunk.Count(o => o.Op != '-');
            sb.Append($"@@ -{aStart},{aLen} +{bStart},{bLen} @@\n");
            foreach (var o in hunk) sb.Append(o.Op).Append(o.Line).Append('\n');
            k = end;
        }
        return sb.ToString();
    }

    private static string[] Lines(string s)
    {
        var lines = s.Replace("\r\n", "\n").Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }
}
