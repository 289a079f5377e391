using System.Text;
using NatsParity.Server.Clients;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Accounts;

/// <summary>A service export (Go's serviceExport): who may import it and how it responds.</summary>
internal sealed class ServiceExport
{
    public ExportAuth? Auth;
    public ServiceResponseType ResponseType;
    /// <summary>How long a streamed or chunked response stays open (Go's respThresh, 2 minutes by default).</summary>
    public TimeSpan Threshold = Account.DefaultServiceExportResponseThreshold;
    /// <summary>Latency tracking of the service (Go's se.latency), or null.</summary>
    public ServiceLatencyConfig? Latency;
}

/// <summary>A service import (Go's serviceImport): requests on <see cref="From"/> here go to <see cref="To"/> in
/// <see cref="Acc"/>. A response import maps a generated reply subject back to the requestor's reply.</summary>
public sealed class ServiceImport
{
    internal ServiceImport(Account acc, string from, string to, bool usePub, ServiceResponseType rt, bool share, bool response, ServiceExport? se)
    {
        Acc = acc;
        From = from;
        To = to;
        ToBytes = Encoding.UTF8.GetBytes(to);
        UsePub = usePub;
        ResponseType = rt;
        Share = share;
        IsResponse = response;
        Export = se;
        Created = DateTime.UtcNow;
    }

    /// <summary>For a request import, the exporting account; for a response import, the requestor's account.</summary>
    public Account Acc { get; }
    public string From { get; }
    public string To { get; }
    internal byte[] ToBytes { get; }
    public bool UsePub { get; }
    public ServiceResponseType ResponseType { get; }
    public bool Share { get; set; }
    public bool IsResponse { get; }
    internal ServiceExport? Export { get; }
    /// <summary>The activation token the import was made with (Go's si.claim token).</summary>
    internal string? Token { get; init; }
    /// <summary>No longer authorized, as when its activation expired (Go's si.invalid): requests do not go through.</summary>
    internal volatile bool Invalid;
    /// <summary>For wildcard imports mapped elsewhere: local subject to exported subject.</summary>
    public SubjectTransform? Transform { get; init; }
    internal DateTime Created;
    internal Subscription? Sub;
    /// <summary>The export's latency tracking, for a request import (Go's si.latency); on a response import, set when
    /// this request is measured.</summary>
    internal ServiceLatencyConfig? Latency { get; set; }
    /// <summary>A response import whose request is measured (Go's si.tracking), the headers that asked for it, the
    /// requesting client (Go's si.rc) and whether a response went through (Go's si.didDeliver).</summary>
    internal bool Tracking;
    internal Dictionary<string, List<string>>? TrackingHeader;
    internal ClientConnection? Requestor;
    internal bool DidDeliver;
}

public static partial class ServiceErrors
{
    public const string ServiceImportAuthorization = "service import not authorized";
    public const string InvalidSubject = "sublist: invalid subject";
}

public sealed partial class Account
{
    /// <summary>Go's replyPrefix for generated service reply subjects.</summary>
    internal const string ReplyPrefix = "_R_.";
    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private readonly Dictionary<string, ServiceExport> _serviceExports = new(StringComparer.Ordinal);
    // Go keeps every import of a subject (from different accounts), each with its own subscription.
    private readonly Dictionary<string, List<ServiceImport>> _serviceImports = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceImport> _responses = new(StringComparer.Ordinal);
    // On the requestor's side (Go's imports.rrMap): each reply subject its requests carried, with the exporting
    // accounts and generated subjects of the response imports answering on it, so they go when interest in it goes.
    // Keyed by reply subject, then by generated subject: many requests may share one reply subject.
    private readonly Dictionary<string, Dictionary<string, Account>> _rrMap = new(StringComparer.Ordinal);
    private string? _siReply;

    /// <summary>Drops service exports and imports; the internal subscriptions to remove are added to <paramref name="subs"/>.</summary>
    private void ClearServices(List<Subscription> subs)
    {
        foreach (var sis in _serviceImports.Values)
            foreach (var si in sis)
                if (si.Sub is not null) subs.Add(si.Sub);
        _serviceImports.Clear();
        _serviceExports.Clear();
    }

    public int NumServiceImports { get { lock (_imu) return _serviceImports.Count; } }
    /// <summary>Go's NumPendingAllResponses: response imports waiting for answers to any of this account's services.</summary>
    public int NumPendingAllResponses { get { lock (_imu) return _responses.Count; } }

    /// <summary>Go's NumPendingResponses: the response imports waiting on the export that covers
    /// <paramref name="filter"/> (every one when empty; none when no export covers it).</summary>
    public int NumPendingResponses(string filter)
    {
        if (filter.Length == 0) return NumPendingAllResponses;
        var se = GetServiceExport(filter);
        if (se is null) return 0;
        int n = 0;
        lock (_imu)
            foreach (var rsi in _responses.Values)
                if (ReferenceEquals(rsi.Export, se)) n++;
        return n;
    }

    /// <summary>Go's ServiceExportResponseThreshold: how long a response to <paramref name="export"/> may take; the
    /// error when no export covers it.</summary>
    public string? ServiceExportResponseThreshold(string export, out TimeSpan threshold)
    {
        threshold = TimeSpan.Zero;
        var se = GetServiceExport(export);
        if (se is null) return $"no export defined for \"{export}\"";
        lock (_imu) threshold = se.Threshold;
        return null;
    }

    /// <summary>Go's SetServiceExportResponseThreshold: a new response threshold for <paramref name="export"/>; refused
    /// for an account defined by a JWT, whose claims say what it exports.</summary>
    public string? SetServiceExportResponseThreshold(string export, TimeSpan maxTime)
    {
        if (ClaimJwt.Length > 0) return "claim based accounts can not be updated directly";
        var se = GetServiceExport(export);
        if (se is null) return $"no export defined for \"{export}\"";
        lock (_imu) se.Threshold = maxTime;
        return null;
    }
    /// <summary>Go's NumPendingReverseResponses: reply subjects here with response imports pending elsewhere.</summary>
    public int NumPendingReverseResponses { get { lock (_imu) return _rrMap.Count; } }
    internal bool HasReverseEntries { get { lock (_imu) return _rrMap.Count > 0; } }

    /// <summary>How many response imports elsewhere answer requests from here that carried <paramref name="reply"/>;
    /// null when the reply has no entry (Go's imports.rrMap[reply]).</summary>
    internal int? ReverseEntryCount(string reply)
    {
        lock (_imu) return _rrMap.TryGetValue(reply, out var entries) ? entries.Count : null;
    }

    /// <summary>The response imports waiting for answers to this account's services (Go's exports.responses).</summary>
    internal ServiceImport[] ResponseImportsSnapshot()
    {
        lock (_imu) return [.. _responses.Values];
    }

    /// <summary>Go's addServiceExportWithResponseAndAccountPos: public when <paramref name="accounts"/> is null and
    /// <paramref name="accountPos"/> is 0.</summary>
    public string? AddServiceExport(string subject, IReadOnlyCollection<Account>? accounts,
        ServiceResponseType rt = ServiceResponseType.Singleton, TimeSpan threshold = default, uint accountPos = 0,
        bool tokenRequired = false, Dictionary<string, long>? revocations = null)
    {
        bool auth = accounts is not null || accountPos > 0 || tokenRequired;
        if (auth && ExportAuth.Validate(subject, accountPos) is { } err) return err;
        lock (_imu)
        {
            if (!_serviceExports.TryGetValue(subject, out var se)) _serviceExports[subject] = se = new ServiceExport();
            se.ResponseType = rt;
            if (threshold > TimeSpan.Zero) se.Threshold = threshold;
            if (auth)
            {
                se.Auth ??= new ExportAuth();
                se.Auth.Set(accounts, accountPos);
                if (tokenRequired) se.Auth.TokenRequired = true;
                se.Auth.Revocations = revocations;
            }
        }
        return null;
    }

    /// <summary>Go's getServiceExport: the exact export or a wildcard one that covers <paramref name="subject"/>.</summary>
    private ServiceExport? GetServiceExport(string subject)
    {
        lock (_imu)
        {
            if (_serviceExports.TryGetValue(subject, out var se)) return se;
            foreach (var (subj, e) in _serviceExports)
                if (SubjectValidation.IsSubsetMatch(subject, subj)) return e;
            return null;
        }
    }

    /// <summary>Go's checkServiceImportAuthorized: the exact export, else the first wildcard one covering
    /// <paramref name="subject"/>, lets the importer in.</summary>
    public bool CheckServiceImportAuthorized(Account importer, string subject, string? token = null)
    {
        if (!SubjectValidation.IsValidSubject(subject)) return false;
        bool Activation(ExportAuth ea) => CheckActivation(importer, subject, "service", token, ea, expTimer: true);
        lock (_imu)
        {
            if (_serviceExports.TryGetValue(subject, out var se)) return se.Auth is null || se.Auth.Allows(importer, null, Activation);
            foreach (var (subj, e) in _serviceExports)
                if (SubjectValidation.IsSubsetMatch(subject, subj)) return e.Auth is null || e.Auth.Allows(importer, subject.Split('.'), Activation);
            return false;
        }
    }

    /// <summary>Go's AddServiceImport: requests published here on <paramref name="from"/> reach <paramref name="to"/>
    /// in <paramref name="dest"/>. The server's own imports (<paramref name="internalImport"/>, Go's internal flag) need
    /// no export to authorize them.</summary>
    public string? AddServiceImport(Account? dest, string from, string to, bool share = false, bool internalImport = false,
        string? token = null)
    {
        if (dest is null) return ImportErrors.MissingAccount;
        if (to.Length == 0) to = from;
        if (!SubjectValidation.IsValidSubject(from) || !SubjectValidation.IsValidSubject(to)) return ServiceErrors.InvalidSubject;
        if (!internalImport && !dest.CheckServiceImportAuthorized(this, to, token)) return ServiceErrors.ServiceImportAuthorization;
        // Go checks the cycle on the mapped subject: with a wildcard export subject, "$1" placeholders become wildcards.
        string fromT = SubjectValidation.SubjectIsLiteral(to) ? from : SubjectTransform.Untokenize(from).Subject;
        if (dest.CheckServiceImportsForCycles(fromT, new HashSet<string>(StringComparer.Ordinal) { Name }) is { } cycle) return cycle;
        var se = dest.GetServiceExport(to);
        bool usePub = false;
        SubjectTransform? tr = null;
        if (!SubjectValidation.SubjectIsLiteral(to))
        {
            if (to == from) usePub = true;
            else
            {
                // Go's addServiceImport: the mapping is built from the exported side and reversed.
                to = SubjectTransform.Untokenize(to).Subject;
                try { tr = SubjectTransform.CreateStrict(to, SubjectTransform.Tokenize(from)); }
                catch (SubjectTransformException e)
                {
                    return $"failed to create mapping transform for service import subject from \"{from}\" to \"{to}\": {e.Message}";
                }
                from = SubjectTransform.Untokenize(from).Subject;
                tr = tr?.Reverse();
            }
        }
        var si = new ServiceImport(dest, from, to, usePub, se?.ResponseType ?? ServiceResponseType.Singleton, share, response: false, se)
        {
            Transform = tr,
            Latency = se?.Latency,
            Token = token,
        };
        lock (_imu)
        {
            if (_serviceImports.TryGetValue(from, out var sis) && sis.Find(x => x.Acc.Name == dest.Name) is { } dup)
                return $"duplicate service import subject \"{from}\", previously used in import for account \"{dup.Acc.Name}\", subject \"{dup.To}\"";
            if (sis is null) _serviceImports[from] = sis = [];
            sis.Add(si);
        }
        si.Sub = new Subscription(from, null, null, Encoding.ASCII.GetBytes($"si:{from}"))
        {
            Handler = (c, subject, reply, hdr, msg) => c.ProcessServiceImport(si, this, subject, reply, hdr, msg),
        };
        if (Sublist.Insert(si.Sub) != SublistError.None)
        {
            lock (_imu)
            {
                if (_serviceImports.TryGetValue(from, out var sis) && sis.Remove(si) && sis.Count == 0) _serviceImports.Remove(from);
            }
            return $"could not create service import subscription on \"{from}\"";
        }
        return null;
    }

    /// <summary>Go's checkServiceImportsForCycles.</summary>
    private string? CheckServiceImportsForCycles(string from, HashSet<string> visited)
    {
        if (visited.Count >= 1024) return ImportErrors.CycleSearchDepth;
        ServiceImport[] imports;
        lock (_imu) imports = [.. _serviceImports.Values.SelectMany(x => x)];
        foreach (var si in imports)
        {
            if (!SubjectValidation.SubjectsCollide(from, si.To)) continue;
            if (visited.Contains(si.Acc.Name)) return ImportErrors.ImportFormsCycle;
            visited.Add(Name);
            string f = SubjectValidation.IsSubsetMatch(si.From, from) ? si.From : from;
            if (si.Acc.CheckServiceImportsForCycles(f, visited) is { } err) return err;
        }
        return null;
    }

    private ClientConnection? _internalClient;

    /// <summary>Go's internalClient: the account's own ACCOUNT-kind client, made on first use (none without a
    /// server).</summary>
    internal ClientConnection? InternalClient()
    {
        if (Server is not { } s) return null;
        lock (_imu) return _internalClient ??= new ClientConnection(s, this, s.NextInternalCid(), system: false);
    }

    /// <summary>Go's newServiceReply: this account's reply prefix (with its wildcard response subscription made on
    /// first use) and six random base-62 characters; a measured request's reply ends with the server's hash and ".T".</summary>
    private string NewServiceReply(bool tracking)
    {
        string pre;
        bool created = false;
        lock (_imu)
        {
            if (_siReply is null)
            {
                var b = new StringBuilder(ReplyPrefix);
                ulong rn = (ulong)Random.Shared.NextInt64();
                for (int i = 0; i < 6; i++) { b.Append(Digits[(int)(rn % 62)]); rn /= 62; }
                _siReply = b.Append('.').ToString();
                created = true;
            }
            pre = _siReply;
        }
        if (created)
        {
            // Subscribed by the account's internal client, so that the interest reaches the routes: a responder on
            // another server sends its replies back here.
            var sub = new Subscription(pre + ">", null, InternalClient(), Encoding.ASCII.GetBytes("si:resp"))
            {
                Handler = ProcessServiceImportResponse,
            };
            Sublist.Insert(sub);
            Server?.UpdateRouteSubscriptionMap(this, sub, 1);
        }
        var sb = new StringBuilder(pre, pre.Length + 6);
        ulong r = (ulong)Random.Shared.NextInt64();
        for (int i = 0; i < 6; i++) { sb.Append(Digits[(int)(r % 62)]); r /= 62; }
        if (tracking && Server?.Events is { } events) sb.Append('.').Append(events.Hash).Append(".T");
        return sb.ToString();
    }

    /// <summary>Go's addRespServiceImport: a response import in this (exporting) account that sends replies on a new
    /// reply subject back to <paramref name="to"/> in <paramref name="requestor"/>.</summary>
    internal ServiceImport AddRespServiceImport(Account requestor, string to, ServiceImport osi,
        bool tracking = false, Dictionary<string, List<string>>? header = null)
    {
        string nrr = NewServiceReply(tracking);
        var rsi = new ServiceImport(requestor, nrr, to, false, osi.ResponseType, osi.Share, response: true, osi.Export);
        if (rsi.ResponseType == ServiceResponseType.Singleton && tracking)
        {
            rsi.Latency = osi.Latency;
            rsi.Tracking = true;
            rsi.TrackingHeader = header;
        }
        lock (_imu)
        {
            _responses[nrr] = rsi;
            ArmResponseTimer(rsi.Export?.Threshold ?? DefaultResponseThreshold);
        }
        requestor.AddReverseRespMapEntry(this, to, nrr);
        return rsi;
    }

    /// <summary>Go's removeRespServiceImport: the response import and its reverse entry in the requestor's account; a
    /// measured request that got no response reports why.</summary>
    internal void RemoveRespServiceImport(ServiceImport? rsi, ResponseRemoval reason = ResponseRemoval.Ok)
    {
        if (rsi is null) return;
        lock (_imu) _responses.Remove(rsi.From);
        if (rsi.Tracking && rsi.Requestor is not null && !rsi.DidDeliver) SendBackendErrorTrackingLatency(rsi, reason);
        rsi.Acc.CheckForReverseEntry(rsi.To, rsi, checkInterest: false);
    }

    /// <summary>Go's DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD.</summary>
    public static readonly TimeSpan DefaultServiceExportResponseThreshold = TimeSpan.FromMinutes(2);
    private static TimeSpan DefaultResponseThreshold => DefaultServiceExportResponseThreshold;
    private Timer? _responseTimer;
    private DateTime _responseTimerDue = DateTime.MaxValue;

    /// <summary>Go's setResponseThresholdTimer: response imports are checked for expiry once the threshold passes
    /// (called with the lock held).</summary>
    private void ArmResponseTimer(TimeSpan threshold)
    {
        var due = DateTime.UtcNow + threshold;
        if (due >= _responseTimerDue) return;
        _responseTimerDue = due;
        _responseTimer ??= new Timer(_ => CheckExpiredResponses());
        _responseTimer.Change(threshold, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Go's checkExpiredResponses: response imports older than their export's threshold go (a measured
    /// request reports a timeout); the timer is armed again for those left.</summary>
    private void CheckExpiredResponses()
    {
        List<ServiceImport>? expired;
        lock (_imu)
        {
            _responseTimerDue = DateTime.MaxValue;
            expired = ExpiredResponses();
            var now = DateTime.UtcNow;
            TimeSpan? next = null;
            foreach (var rsi in _responses.Values)
            {
                if (expired?.Contains(rsi) == true) continue;
                var left = rsi.Created + (rsi.Export?.Threshold ?? DefaultResponseThreshold) - now;
                if (next is null || left < next) next = left;
            }
            if (next is { } n) ArmResponseTimer(n < TimeSpan.Zero ? TimeSpan.Zero : n);
        }
        if (expired is not null)
            foreach (var rsi in expired) RemoveRespServiceImport(rsi, ResponseRemoval.Timeout);
    }

    /// <summary>The response imports past their export's threshold (called with the lock held).</summary>
    private List<ServiceImport>? ExpiredResponses()
    {
        if (_responses.Count == 0) return null;
        var now = DateTime.UtcNow;
        List<ServiceImport>? expired = null;
        foreach (var rsi in _responses.Values)
            if (now - rsi.Created >= (rsi.Export?.Threshold ?? DefaultResponseThreshold)) (expired ??= []).Add(rsi);
        return expired;
    }

    /// <summary>Go's addReverseRespMapEntry: <paramref name="acc"/> answers requests from here that carried
    /// <paramref name="reply"/> through its response import <paramref name="from"/>.</summary>
    private void AddReverseRespMapEntry(Account acc, string reply, string from)
    {
        lock (_imu)
        {
            if (!_rrMap.TryGetValue(reply, out var entries)) _rrMap[reply] = entries = new(StringComparer.Ordinal);
            entries[from] = acc;
        }
    }

    /// <summary>Go's checkForReverseEntry: with <paramref name="si"/>, drops just its entry under <paramref name="reply"/>;
    /// without, and (with <paramref name="checkInterest"/>) once nothing here is interested in the reply, drops every
    /// entry and the response imports they name. A wildcard reply checks each entry it covers.</summary>
    internal void CheckForReverseEntry(string reply, ServiceImport? si, bool checkInterest, bool recursed = false)
    {
        lock (_imu)
        {
            if (_rrMap.Count == 0) return;
        }
        if (!SubjectValidation.SubjectIsLiteral(reply))
        {
            // Entries are literal; one that is not would recurse forever.
            if (recursed) return;
            string[] keys;
            lock (_imu) keys = [.. _rrMap.Keys];
            foreach (var r in keys)
                if (SubjectValidation.IsSubsetMatch(r, reply)) CheckForReverseEntry(r, null, checkInterest, recursed: true);
            return;
        }
        lock (_imu)
        {
            if (!_rrMap.ContainsKey(reply)) return;
        }
        if (checkInterest && Sublist.HasInterest(reply)) return;
        Dictionary<string, Account>? sres = null;
        lock (_imu)
        {
            if (!_rrMap.TryGetValue(reply, out var list)) return;
            if (si is null)
            {
                sres = list;
                _rrMap.Remove(reply);
            }
            else
            {
                list.Remove(si.From);
                if (list.Count == 0) _rrMap.Remove(reply);
            }
        }
        if (sres is null) return;
        // A response import that already delivered stays (its measurement is under way); a measured request whose
        // requestor stopped listening reports it.
        foreach (var (msub, acc) in sres)
        {
            ServiceImport? rsi;
            lock (acc._imu)
            {
                if (acc._responses.TryGetValue(msub, out rsi) && !rsi.DidDeliver) acc._responses.Remove(msub);
                else rsi = null;
            }
            if (rsi is { Tracking: true, Requestor: not null }) acc.SendReplyInterestLostTrackLatency(rsi);
        }
    }

    /// <summary>Go's processServiceImportResponse: a reply on a generated subject goes back through its response import.</summary>
    private bool ProcessServiceImportResponse(ClientConnection c, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, int hdr, ReadOnlySpan<byte> msg)
    {
        ServiceImport? rsi;
        lock (_imu)
        {
            if (_responses.Count == 0) return false;
            _responses.TryGetValue(Encoding.UTF8.GetString(subject), out rsi);
        }
        return rsi is not null && c.ProcessServiceImport(rsi, this, subject, reply, hdr, msg);
    }
}
