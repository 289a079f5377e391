namespace NatsParity.Server.Accounts;

/// <summary>An export as monitoring reports it (Go's ExtExport): the subject, stream or service, the response type of
/// a service, and the accounts it is restricted to.</summary>
public sealed record ExportView(string Subject, bool Service, ServiceResponseType ResponseType, IReadOnlyList<string> Approved)
{
    /// <summary>A service's latency tracking, or null.</summary>
    public ServiceLatencyConfig? Latency { get; init; }
    /// <summary>Importers need an activation token.</summary>
    public bool TokenRequired { get; init; }
}

/// <summary>An import as monitoring reports it (Go's ExtImport). For a service, <see cref="Subject"/> is the exported
/// subject and <see cref="LocalSubject"/> where it is published here; for a stream, the other way round.</summary>
public sealed record ImportView(string Subject, string Account, string LocalSubject, bool Service, bool Share)
{
    /// <summary>A service import's latency tracking, whether this (response) import's request is measured, and the
    /// tracing headers that asked for it.</summary>
    public ServiceLatencyConfig? Latency { get; init; }
    public bool Tracking { get; init; }
    public Dictionary<string, List<string>>? TrackingHeader { get; init; }
}

public sealed partial class Account
{
    /// <summary>Every stream and service export of this account.</summary>
    public List<ExportView> ExportsSnapshot()
    {
        var list = new List<ExportView>();
        lock (_imu)
        {
            foreach (var (subj, se) in _serviceExports)
                list.Add(new ExportView(subj, true, se.ResponseType, se.Auth?.Approved is { } a ? [.. a] : []) { Latency = se.Latency, TokenRequired = se.Auth?.TokenRequired ?? false });
            foreach (var (subj, auth) in _streamExports)
                list.Add(new ExportView(subj, false, ServiceResponseType.Singleton, auth?.Approved is { } a ? [.. a] : []) { TokenRequired = auth?.TokenRequired ?? false });
        }
        return list;
    }

    /// <summary>Every stream and service import of this account.</summary>
    public List<ImportView> ImportsSnapshot()
    {
        var list = new List<ImportView>();
        lock (_imu)
        {
            foreach (var im in _streamImports) list.Add(new ImportView(im.From, im.Acc.Name, im.To, false, false));
            foreach (var sis in _serviceImports.Values)
                foreach (var si in sis) list.Add(View(si));
        }
        return list;
    }

    /// <summary>The pending response imports of this (exporting) account, by generated reply subject.</summary>
    public List<(string Reply, ImportView Import)> ResponsesSnapshot()
    {
        var list = new List<(string, ImportView)>();
        lock (_imu)
            foreach (var (k, si) in _responses) list.Add((k, View(si)));
        return list;
    }

    private static ImportView View(ServiceImport si) => new(si.To, si.Acc.Name, si.From, true, si.Share)
    {
        Latency = si.Latency, Tracking = si.Tracking, TrackingHeader = si.TrackingHeader,
    };
}

public sealed partial class Account
{
    /// <summary>Go's hasServiceExportMatching: an export that covers <paramref name="subject"/>.</summary>
    internal bool HasServiceExportMatching(string subject) => GetServiceExport(subject) is not null;

    /// <summary>Go's getServiceImportForAccountLocked: the import of <paramref name="subject"/> from the account named
    /// <paramref name="destAccount"/>, if any.</summary>
    internal ServiceImport? GetServiceImportFor(string destAccount, string subject)
    {
        lock (_imu)
            return _serviceImports.TryGetValue(subject, out var sis) ? sis.Find(si => si.Acc.Name == destAccount) : null;
    }

    /// <summary>Go's removeServiceImport: drops the import of <paramref name="subject"/> from the account named
    /// <paramref name="destAccount"/> (other accounts' imports of the same subject stay) and its subscription.</summary>
    internal void RemoveServiceImport(string destAccount, string subject)
    {
        ServiceImport? si;
        lock (_imu)
        {
            if (!_serviceImports.TryGetValue(subject, out var sis)) return;
            si = sis.Find(x => x.Acc.Name == destAccount);
            if (si is null) return;
            sis.Remove(si);
            if (sis.Count == 0) _serviceImports.Remove(subject);
        }
        if (si.Sub is not null) Sublist.Remove(si.Sub);
    }

    /// <summary>The account's service imports (not the response imports), for re-checking their authorization.</summary>
    internal ServiceImport[] ServiceImportsSnapshot()
    {
        lock (_imu) return [.. _serviceImports.Values.SelectMany(x => x)];
    }

    /// <summary>True when some import of <paramref name="subject"/> is kept (Go's imports.services entry).</summary>
    internal bool HasServiceImportsFor(string subject)
    {
        lock (_imu) return _serviceImports.ContainsKey(subject);
    }

    /// <summary>Go's serviceImportExists: an import of <paramref name="from"/> from <paramref name="dest"/>.</summary>
    internal bool HasServiceImport(Account dest, string from)
    {
        lock (_imu) return _serviceImports.TryGetValue(from, out var sis) && sis.Exists(si => si.Acc.Name == dest.Name);
    }
}
