using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Accounts;

/// <summary>How a service export answers: one response, a stream of them, or chunks (Go's ServiceRespType).</summary>
public enum ServiceResponseType { Singleton, Streamed, Chunked }

/// <summary>An exports [] entry of accounts {} as configured: a stream or a service, public or for named accounts.
/// A non-zero <see cref="AccountTokenPosition"/> (1-based) lets in only importers whose name is that token of the
/// imported subject.</summary>
public sealed record ExportDef(bool Service, string Subject, List<string>? Accounts, ServiceResponseType ResponseType, TimeSpan Threshold,
    uint AccountTokenPosition = 0)
{
    /// <summary>A service's latency tracking (Go's export latency {}), or null.</summary>
    public ServiceLatencyConfig? Latency { get; init; }
    /// <summary>Importers need an activation token (JWT exports' token_req), and the activations revoked.</summary>
    public bool TokenRequired { get; init; }
    public Dictionary<string, long>? ActivationRevocations { get; init; }
}

/// <summary>An imports [] entry as configured: from which account, the exported subject, and where it lands here.</summary>
public sealed record ImportDef(bool Service, string Account, string Subject, string To, string Prefix, bool Share)
{
    /// <summary>The activation token of a JWT import.</summary>
    public string Token { get; init; } = "";
}

/// <summary>Who may import an export: everyone (no list), the named accounts, or, with an account token position,
/// the account named by that token of the imported subject (Go's exportAuth).</summary>
internal sealed class ExportAuth
{
    public HashSet<string>? Approved;
    /// <summary>1-based token of the imported subject that must be the importer's name; 0 when unused (Go's accountPos).</summary>
    public uint AccountPos;
    /// <summary>Importers present an activation token (Go's tokenReq), unless revoked (Go's actsRevoked).</summary>
    public bool TokenRequired;
    public Dictionary<string, long>? Revocations;

    /// <summary>Go's checkAuth. <paramref name="tokens"/> are the imported subject's tokens when it matched a wildcard
    /// export, null on an exact match (which an account token position never lets in). <paramref name="activation"/>
    /// checks the importer's token when one is required.</summary>
    public bool Allows(Account importer, string[]? tokens, Func<ExportAuth, bool>? activation = null)
    {
        if (Approved is not { Count: > 0 } && !TokenRequired && AccountPos == 0) return true;
        if (AccountPos > 0) return tokens is not null && AccountPos <= tokens.Length && tokens[AccountPos - 1] == importer.Name;
        if (TokenRequired) return activation is not null && activation(this);
        return Approved is not null && Approved.Contains(importer.Name);
    }

    /// <summary>Go's setExportAuth: null, or the error when <paramref name="accountPos"/> is not a "*" token of the subject.</summary>
    public static string? Validate(string subject, uint accountPos)
    {
        if (accountPos == 0) return null;
        var tokens = subject.Split('.');
        return tokens.Length < accountPos || tokens[accountPos - 1] != "*" ? ServiceErrors.InvalidSubject : null;
    }

    /// <summary>Go's setExportAuth once validated: the position, and the named accounts when given.</summary>
    public void Set(IReadOnlyCollection<Account>? accounts, uint accountPos)
    {
        AccountPos = accountPos;
        if (accounts is null) return;
        // An empty list: only importers holding an activation token (Go's tokenReq).
        if (accounts.Count == 0)
        {
            TokenRequired = true;
            return;
        }
        Approved ??= new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in accounts) Approved.Add(a.Name);
    }
}

/// <summary>A stream import: messages on <see cref="From"/> in <see cref="Acc"/> are delivered here as <see cref="To"/>
/// (Go's streamImport). With <see cref="UsePub"/> the published subject is kept.</summary>
public sealed class StreamImport(Account acc, string from, string to, bool usePub, SubjectTransform? tr = null)
{
    /// <summary>For wildcard imports mapped elsewhere: exported subject to local subject (Go's im.tr).</summary>
    public SubjectTransform? Transform { get; } = tr;
    /// <summary>Local subject back to the exported one, for shadow subscriptions (Go's im.rtr).</summary>
    internal SubjectTransform? ReverseTransform { get; } = tr?.Reverse();
    public Account Acc { get; } = acc;
    public string From { get; } = from;
    public string To { get; } = to;
    public bool UsePub { get; } = usePub;
    /// <summary><see cref="To"/> as bytes, the subject deliveries carry when the published one is not kept.</summary>
    public byte[] ToBytes { get; } = System.Text.Encoding.UTF8.GetBytes(to);
    /// <summary>The activation token the import was made with (Go's im.claim token).</summary>
    internal string? Token { get; init; }
    /// <summary>No longer authorized, as when its activation expired (Go's im.invalid): it makes no shadow subscriptions.</summary>
    internal volatile bool Invalid;
}

/// <summary>Error texts of Go's errors.go for exports and imports.</summary>
public static class ImportErrors
{
    public const string MissingAccount = "account missing";
    public const string StreamImportAuthorization = "stream import not authorized";
    public const string StreamImportBadPrefix = "stream import prefix can not contain wildcard tokens";
    public const string StreamImportDuplicate = "stream import already exists";
    public const string ImportFormsCycle = "import forms a cycle";
    public const string CycleSearchDepth = "search cycle depth exhausted";
}

public sealed partial class Account
{
    /// <summary>Go's MaxAccountCycleSearchDepth.</summary>
    private const int MaxCycleSearchDepth = 1024;

    private readonly object _imu = new();

    /// <summary>The lock of the account's exports and imports (Go's acc.mu for them), for tests that hold it to force
    /// contention.</summary>
    internal object ImportsLock => _imu;
    private readonly Dictionary<string, ExportAuth?> _streamExports = new(StringComparer.Ordinal);
    private readonly List<StreamImport> _streamImports = [];
    private volatile StreamImport[] _streamImportsSnapshot = [];

    /// <summary>The exports and imports this account was configured with, applied by the server that runs it.</summary>
    public List<ExportDef> ExportDefs { get; } = [];
    public List<ImportDef> ImportDefs { get; } = [];

    public StreamImport[] StreamImports => _streamImportsSnapshot;

    /// <summary>Drops every export, import and mapping (and the internal subscriptions of service imports) so a
    /// reloaded configuration can be applied afresh.</summary>
    internal void ResetExportsImports()
    {
        List<Subscription> internalSubs = [];
        lock (_imu)
        {
            _streamExports.Clear();
            _streamImports.Clear();
            _streamImportsSnapshot = [];
            ClearServices(internalSubs);
            _mappings.Clear();
            _hasMappings = false;
        }
        foreach (var sub in internalSubs) Sublist.Remove(sub);
        ExportDefs.Clear();
        ImportDefs.Clear();
        MappingDefs.Clear();
    }

    /// <summary>The configured exports, imports and mappings in one comparable string: two accounts with the same
    /// signature need nothing rebuilt on reload.</summary>
    internal string DefsSignature()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var e in ExportDefs)
            sb.Append("E|").Append(e.Service).Append('|').Append(e.Subject).Append('|')
              .Append(e.Accounts is null ? "*" : string.Join(",", e.Accounts)).Append('|').Append(e.ResponseType).Append('|').Append(e.Threshold.Ticks)
              .Append('|').Append(e.AccountTokenPosition).Append('|').Append(e.Latency).Append('\n');
        foreach (var i in ImportDefs) sb.Append("I|").Append(i).Append('\n');
        foreach (var (src, dests) in MappingDefs)
            sb.Append("M|").Append(src).Append('|').AppendJoin(",", dests.Select(d => d.ToString())).Append('\n');
        return sb.ToString();
    }

    /// <summary>Takes the export and import definitions of a configured account.</summary>
    public Account CopyDefsFrom(Account configured)
    {
        ExportDefs.AddRange(configured.ExportDefs);
        ImportDefs.AddRange(configured.ImportDefs);
        MappingDefs.AddRange(configured.MappingDefs);
        return this;
    }

    /// <summary>Go's addStreamExportWithAccountPos: public when <paramref name="accounts"/> is null and
    /// <paramref name="accountPos"/> is 0.</summary>
    public string? AddStreamExport(string subject, IReadOnlyCollection<Account>? accounts, uint accountPos = 0,
        bool tokenRequired = false, Dictionary<string, long>? revocations = null)
    {
        lock (_imu)
        {
            _streamExports.TryGetValue(subject, out var ea);
            if (accounts is not null || accountPos > 0 || tokenRequired)
            {
                if (ExportAuth.Validate(subject, accountPos) is { } err) return err;
                ea ??= new ExportAuth();
                ea.Set(accounts, accountPos);
                if (tokenRequired) ea.TokenRequired = true;
                ea.Revocations = revocations;
            }
            _streamExports[subject] = ea;
        }
        return null;
    }

    /// <summary>Go's checkStreamImportAuthorized: an export covering <paramref name="subject"/> that lets the importer in.</summary>
    public bool CheckStreamImportAuthorized(Account importer, string subject, string? token = null)
    {
        bool Activation(ExportAuth ea) => CheckActivation(importer, subject, "stream", token, ea, expTimer: true);
        lock (_imu)
        {
            if (_streamExports.Count == 0 || !SubjectValidation.IsValidSubject(subject)) return false;
            if (_streamExports.TryGetValue(subject, out var ea)) return ea is null || ea.Allows(importer, null, Activation);
            string[]? tokens = null;
            foreach (var (subj, e) in _streamExports)
            {
                if (SubjectValidation.IsSubsetMatch(subject, subj)) return e is null || e.Allows(importer, tokens ??= subject.Split('.'), Activation);
            }
            return false;
        }
    }

    /// <summary>Go's addStreamImportWithClaim: the import lands under <paramref name="prefix"/> (a literal).</summary>
    public string? AddStreamImport(Account? account, string from, string prefix, string? token = null)
    {
        if (account is null) return ImportErrors.MissingAccount;
        if (!account.CheckStreamImportAuthorized(this, from, token)) return ImportErrors.StreamImportAuthorization;
        if (prefix.Length > 0)
        {
            if (!SubjectValidation.SubjectIsLiteral(prefix)) return ImportErrors.StreamImportBadPrefix;
            if (prefix[^1] != '.') prefix += ".";
        }
        return AddMappedStreamImport(account, from, prefix + from, token);
    }

    /// <summary>Go's addMappedStreamImportWithClaim: the import lands on <paramref name="to"/> (defaults to from).</summary>
    public string? AddMappedStreamImport(Account? account, string from, string to, string? token = null)
    {
        if (account is null) return ImportErrors.MissingAccount;
        if (!account.CheckStreamImportAuthorized(this, from, token)) return ImportErrors.StreamImportAuthorization;
        if (to.Length == 0) to = from;
        var cycle = StreamImportFormsCycle(account, to) ?? StreamImportFormsCycle(account, from);
        if (cycle is not null) return cycle;
        bool usePub = false;
        SubjectTransform? tr = null;
        if (!SubjectValidation.SubjectIsLiteral(from))
        {
            if (to == from) usePub = true;
            else
            {
                try { tr = SubjectTransform.CreateStrict(from, SubjectTransform.Tokenize(to)); }
                catch (SubjectTransformException e)
                {
                    return $"failed to create mapping transform for stream import subject from \"{from}\" to \"{to}\": {e.Message}";
                }
                to = SubjectTransform.Untokenize(to).Subject;
            }
        }
        lock (_imu)
        {
            foreach (var si in _streamImports)
                if (ReferenceEquals(si.Acc, account) && si.From == from) return ImportErrors.StreamImportDuplicate;
            _streamImports.Add(new StreamImport(account, from, to, usePub, tr) { Token = token });
            _streamImportsSnapshot = [.. _streamImports];
        }
        return null;
    }

    /// <summary>Go's checkStreamImportsEqual: both accounts import the same streams, matched by exporting account name,
    /// exported subject and local subject. (Go also compares the imports' allow_trace flag, which is not kept here: message tracing is not built.)</summary>
    internal bool CheckStreamImportsEqual(Account b)
    {
        StreamImport[] bims = b.StreamImports;
        lock (_imu)
        {
            if (_streamImports.Count != bims.Length) return false;
            var bm = new HashSet<string>(StringComparer.Ordinal);
            foreach (var bim in bims) bm.Add(bim.Acc.Name + bim.From + bim.To);
            foreach (var aim in _streamImports)
                if (!bm.Contains(aim.Acc.Name + aim.From + aim.To)) return false;
            return true;
        }
    }

    private string? StreamImportFormsCycle(Account dest, string to) =>
        dest.CheckStreamImportsForCycles(to, new HashSet<string>(StringComparer.Ordinal) { Name });

    private bool HasStreamExportMatching(string to)
    {
        lock (_imu)
        {
            foreach (var subj in _streamExports.Keys)
                if (SubjectValidation.IsSubsetMatch(to, subj)) return true;
            return false;
        }
    }

    /// <summary>Go's checkStreamImportsForCycles.</summary>
    private string? CheckStreamImportsForCycles(string to, HashSet<string> visited)
    {
        if (visited.Count >= MaxCycleSearchDepth) return ImportErrors.CycleSearchDepth;
        if (!HasStreamExportMatching(to)) return null;
        foreach (var si in StreamImports)
        {
            if (!SubjectValidation.SubjectsCollide(to, si.To)) continue;
            if (visited.Contains(si.Acc.Name)) return ImportErrors.ImportFormsCycle;
            visited.Add(Name);
            string t = SubjectValidation.IsSubsetMatch(si.To, to) ? si.To : to;
            if (si.Acc.CheckStreamImportsForCycles(t, visited) is { } err) return err;
        }
        return null;
    }

    /// <summary>Applies <see cref="ExportDefs"/> then <see cref="ImportDefs"/>, resolving account names with
    /// <paramref name="lookup"/>; returns Go's error text for the first that fails.</summary>
    public string? ApplyExportsAndImports(Func<string, Account?> lookup)
    {
        foreach (var e in ExportDefs)
        {
            List<Account>? accounts = null;
            if (e.Accounts is not null)
            {
                accounts = [];
                foreach (var an in e.Accounts)
                {
                    var ta = lookup(an);
                    if (ta is null) return $"\"{an}\" account not defined for {(e.Service ? "service" : "stream")} export";
                    accounts.Add(ta);
                }
            }
            if (e.Service)
            {
                if (AddServiceExport(e.Subject, accounts, e.ResponseType, e.Threshold, e.AccountTokenPosition, e.TokenRequired, e.ActivationRevocations) is { } serr)
                    return $"Error adding service export \"{e.Subject}\": {serr}";
                if (e.Latency is { } lat && TrackServiceExportWithSampling(e.Subject, lat.Subject, lat.Sampling, fromConfig: true) is { } lerr)
                    return $"Error adding service latency sampling for \"{e.Subject}\" on subject \"{lat.Subject}\": {lerr}";
                continue;
            }
            if (AddStreamExport(e.Subject, accounts, e.AccountTokenPosition, e.TokenRequired, e.ActivationRevocations) is { } err)
                return $"Error adding stream export \"{e.Subject}\": {err}";
        }
        return null;
    }

    /// <summary>The second pass, once every account has its exports.</summary>
    public string? ApplyImports(Func<string, Account?> lookup) => ApplyImports(lookup, null);

    /// <param name="errors">When given, every import is tried and the errors collected (Go's incomplete JWT imports);
    /// otherwise the first error stops and is returned.</param>
    public string? ApplyImports(Func<string, Account?> lookup, List<string>? errors)
    {
        foreach (var i in ImportDefs)
        {
            string? err;
            var ta = lookup(i.Account);
            if (ta is null) err = $"\"{i.Account}\" account not defined for {(i.Service ? "service" : "stream")} import";
            else if (i.Service)
                err = AddServiceImport(ta, i.To, i.Subject, i.Share, token: i.Token) is { } serr ? $"Error adding service import \"{i.Subject}\": {serr}" : null;
            else
            {
                string? serr = i.Prefix.Length > 0 ? AddStreamImport(ta, i.Subject, i.Prefix, i.Token) : AddMappedStreamImport(ta, i.Subject, i.To, i.Token);
                err = serr is null ? null : $"Error adding stream import \"{i.Subject}\": {serr}";
            }
            if (err is null) continue;
            if (errors is null) return err;
            errors.Add(err);
        }
        return null;
    }

    /// <summary>Go's checkActivation: the importer's token, signed by this (exporting) account or one of its signing
    /// keys, names the importer and covers <paramref name="subject"/> of <paramref name="type"/>; not expired and not
    /// revoked by the export (<paramref name="ea"/>, null to not check). With <paramref name="expTimer"/>, the importer
    /// looks at the import again when the token expires.</summary>
    internal bool CheckActivation(Account importer, string subject, string type, string? token, ExportAuth? ea, bool expTimer = false)
    {
        if (string.IsNullOrEmpty(token)) return false;
        Auth.Jwt.ActivationClaims act;
        try { act = Auth.Jwt.ActivationClaims.Decode(token); }
        catch (Auth.Jwt.JwtException) { return false; }
        if (act.Subject != importer.Name || act.ImportType != type) return false;
        if (act.ImportSubject != subject && !SubjectValidation.IsSubsetMatch(subject, act.ImportSubject)) return false;
        bool trusted = act.IssuerAccount.Length == 0 ? act.Issuer == Name : act.IssuerAccount == Name && HasIssuer(act.Issuer);
        if (!trusted) return false;
        if (act.TimeError(DateTimeOffset.UtcNow) is not null) return false;
        if (act.Expires != 0)
        {
            if (act.Expires <= DateTimeOffset.UtcNow.ToUnixTimeSeconds()) return false;
            if (expTimer) importer.ArmActivationExpiry(this, act.ImportSubject, type, act.Expires);
        }
        if (ea?.Revocations is { Count: > 0 } rev)
        {
            if (rev.TryGetValue(act.Subject, out long t) && t >= act.IssuedAt) return false;
            if (rev.TryGetValue("*", out long all) && all >= act.IssuedAt) return false;
        }
        return true;
    }
}

public sealed partial class Account
{
    // Timers of the activation tokens this account imports with, by exporter, type and subject (Go's time.AfterFunc
    // in checkActivation; a .NET timer must stay referenced to fire).
    private readonly Dictionary<string, DeadlineTimer> _activationTimers = new(StringComparer.Ordinal);

    internal void ArmActivationExpiry(Account exporter, string subject, string type, long expires)
    {
        string key = $"{exporter.Name} {type} {subject}";
        var timer = new DeadlineTimer(DateTimeOffset.FromUnixTimeSeconds(expires), () => ActivationExpired(exporter, subject, type));
        lock (_activationTimers)
        {
            if (_activationTimers.Remove(key, out var old)) old.Dispose();
            _activationTimers[key] = timer;
        }
    }

    /// <summary>Go's activationExpired: unless the import's token is good again (updated), the import becomes invalid;
    /// a stream import's shadow subscriptions go.</summary>
    internal void ActivationExpired(Account exporter, string subject, string type)
    {
        if (IsExpired) return;
        if (type == "stream")
        {
            var im = Array.Find(StreamImports, i => ReferenceEquals(i.Acc, exporter) && i.From == subject);
            if (im is null || im.Invalid || exporter.CheckActivation(this, im.From, type, im.Token, null)) return;
            im.Invalid = true;
            foreach (var c in ClientsSnapshot()) c.ProcessSubsOnConfigReload();
        }
        else
        {
            var si = GetServiceImportFor(exporter.Name, subject);
            if (si is null || si.Invalid || exporter.CheckActivation(this, si.To, type, si.Token, null)) return;
            si.Invalid = true;
        }
    }
}
