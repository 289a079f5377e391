using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Accounts;

/// <summary>One destination of a subject mapping (Go's MapDest): where, with what weight in percent, for which cluster.</summary>
public sealed record MapDest(string Subject, int Weight, string Cluster = "");

public sealed partial class Account
{
    private sealed class Destination(SubjectTransform tr, int weight)
    {
        public SubjectTransform Tr { get; } = tr;
        public int Weight { get; set; } = weight;
    }

    private sealed class Mapping(string src, bool wc, List<Destination> dests)
    {
        public string Src { get; } = src;
        public bool Wc { get; } = wc;
        public List<Destination> Dests { get; set; } = dests;
    }

    private readonly List<Mapping> _mappings = [];
    private volatile bool _hasMappings;

    /// <summary>The mappings this account was configured with, applied again by the server that runs it.</summary>
    public List<(string Source, List<MapDest> Destinations)> MappingDefs { get; } = [];

    public bool HasMappings => _hasMappings;

    /// <summary>Go's AddMapping: all traffic on <paramref name="src"/> goes to <paramref name="dest"/>.</summary>
    public string? AddMapping(string src, string dest) => AddWeightedMappings(src, [new MapDest(dest, 100)]);

    /// <summary>Go's AddWeightedMappings: destinations share the traffic by weight; what the weights leave goes to
    /// the source subject itself.</summary>
    public string? AddWeightedMappings(string src, IReadOnlyList<MapDest> dests)
    {
        if (!SubjectValidation.IsValidSubject(src)) return SubjectTransform.ErrBadSubject;
        bool wc = !SubjectValidation.SubjectIsLiteral(src);
        var list = new List<Destination>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in dests)
        {
            if (!seen.Add(d.Subject)) return $"duplicate entry for \"{d.Subject}\"";
            if (d.Weight > 100) return "individual weights need to be <= 100";
            totals[d.Cluster] = totals.GetValueOrDefault(d.Cluster) + d.Weight;
            if (totals[d.Cluster] > 100) return "total weight needs to be <= 100";
            if (d.Cluster.Length > 0) return "cluster-scoped mapping destinations need clustering, which natsparity-server does not run yet";
            SubjectTransform? tr;
            try
            {
                SubjectTransform.ValidateMapping(src, d.Subject);
                tr = SubjectTransform.Create(src, d.Subject);
            }
            catch (SubjectTransformException e) { return e.Message; }
            if (tr is not null) list.Add(new Destination(tr, d.Weight));
        }
        int ltw = list.Sum(d => d.Weight);
        if (ltw != 100 && !seen.Contains(src))
        {
            string dest = wc ? SubjectTransform.Tokenize(src) : src;
            var tr = SubjectTransform.Create(src, dest)!;
            list.Add(new Destination(tr, list.Count == 0 ? 100 : 100 - ltw));
        }
        list.Sort((a, b) => a.Weight.CompareTo(b.Weight));
        int lw = 0;
        foreach (var d in list)
        {
            d.Weight += lw;
            lw = d.Weight;
        }
        lock (_imu)
        {
            int i = _mappings.FindIndex(m => m.Src == src);
            if (i >= 0) _mappings[i] = new Mapping(src, wc, list);
            else _mappings.Add(new Mapping(src, wc, list));
            _hasMappings = _mappings.Count > 0;
        }
        return null;
    }

    /// <summary>Go's RemoveMapping.</summary>
    public bool RemoveMapping(string src)
    {
        lock (_imu)
        {
            int n = _mappings.RemoveAll(m => m.Src == src);
            _hasMappings = _mappings.Count > 0;
            return n > 0;
        }
    }

    /// <summary>Go's selectMappedSubject: the first mapping whose source covers the subject picks a destination by weight.</summary>
    public (string Subject, bool Changed) SelectMappedSubject(string subject)
    {
        if (!_hasMappings) return (subject, false);
        Mapping? m = null;
        string[]? tts = null;
        lock (_imu)
        {
            foreach (var rm in _mappings)
            {
                if (!rm.Wc && rm.Src == subject) { m = rm; break; }
                if (rm.Wc && SubjectValidation.IsSubsetMatch(subject, rm.Src)) { m = rm; break; }
            }
        }
        if (m is null) return (subject, false);
        var dests = m.Dests;
        Destination? d = null;
        if (dests.Count == 1 && dests[0].Weight == 100) d = dests[0];
        else
        {
            int w = Random.Shared.Next(100);
            foreach (var rm in dests)
            {
                if (w < rm.Weight) { d = rm; break; }
            }
        }
        if (d is null) return ("", true);
        tts ??= subject.Split('.');
        return (d.Tr.TransformTokenized(tts), true);
    }

    /// <summary>Applies <see cref="MappingDefs"/>; Go's error text for the first that fails.</summary>
    public string? ApplyMappings()
    {
        foreach (var (src, dests) in MappingDefs)
            if (AddWeightedMappings(src, dests) is { } err) return $"Error adding mapping for \"{src}\" : {err}";
        return null;
    }
}
