using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Clients;
using NatsParity.Server.Monitoring;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Events;

/// <summary>The system account side of the nats-based account resolvers (Go's DirAccResolver.Start,
/// CacheDirAccResolver.Start and Server.fetch): claim updates, lookups, lists, deletes and store synchronisation.</summary>
internal sealed partial class SystemEvents
{
    public const string AccLookupReqSubj = "$SYS.REQ.ACCOUNT.{0}.CLAIMS.LOOKUP";
    public const string AccPackReqSubj = "$SYS.REQ.CLAIMS.PACK";
    public const string AccListReqSubj = "$SYS.REQ.CLAIMS.LIST";
    public const string AccClaimsReqSubj = "$SYS.REQ.CLAIMS.UPDATE";
    public const string AccDeleteReqSubj = "$SYS.REQ.CLAIMS.DELETE";

    private readonly ConcurrentDictionary<string, Action<byte[]>> _replies = new(StringComparer.Ordinal);
    private Timer? _packTimer;

    /// <summary>Go's newRespInbox: a subject under this server's inbox prefix.</summary>
    internal string NewRespInbox()
    {
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        Span<byte> r = stackalloc byte[8];
        RandomNumberGenerator.Fill(r);
        var sb = new StringBuilder(string.Format(CultureInfo.InvariantCulture, InboxRespSubj, Hash, ""));
        foreach (var b in r) sb.Append(digits[b % 62]);
        return sb.ToString();
    }

    /// <summary>Go's inboxReply: an answer to one of this server's requests goes to the callback waiting for it.</summary>
    private void InboxReply(ClientConnection c, string subject, string reply, byte[] hdr, byte[] msg)
    {
        if (_replies.TryGetValue(subject, out var cb)) cb(msg);
    }

    /// <summary>Go's sysSubscribe without a receive queue: the handler runs where the message is delivered.</summary>
    private Subscription SysSubscribeInline(string subject, SysHandler cb, string? queue = null)
    {
        string sid = (++_sid).ToString(CultureInfo.InvariantCulture);
        _client.TraceInternalSub(subject, sid);
        var sub = new Subscription(subject, queue, _client, Encoding.ASCII.GetBytes(sid))
        {
            Handler = (from, subj, reply, hdr, msg) =>
            {
                byte[] h = hdr > 0 ? msg[..hdr].ToArray() : [];
                byte[] m = msg[Math.Max(hdr, 0)..^2].ToArray();
                cb(from, Encoding.UTF8.GetString(subj), Encoding.UTF8.GetString(reply), h, m);
                return true;
            },
        };
        Account.Sublist.Insert(sub);
        _s.UpdateRouteSubscriptionMap(Account, sub, 1);
        return sub;
    }

    /// <summary>Sends raw bytes (no JSON, no server info) to a reply subject.</summary>
    private void SendRaw(string subject, byte[] body, string reply = "") => Push(new PubMsg(null, subject, reply, _ => body, false));

    /// <summary>Go's respondToUpdate: logged, and the requester told in Go's ServerAPIClaimUpdateResponse.</summary>
    internal void RespondToUpdate(string reply, string acc, string message, string? error)
    {
        if (error is null) _s.Logger.Debug(acc.Length == 0 ? message : $"{message} - {acc}");
        else _s.Logger.Error(acc.Length == 0 ? $"{message} - {error}" : $"{message} - {acc} - {error}");
        if (reply.Length == 0) return;
        Push(new PubMsg(null, reply, "", st => Json(w =>
        {
            w.WriteStartObject();
            WriteServerInfo(w, st);
            w.WriteStartObject(error is null ? "data" : "error");
            w.Str("account", acc, omitEmpty: true);
            w.Num("code", error is null ? 200 : 500);
            if (error is null) w.Str("message", message, omitEmpty: true);
            else w.Str("description", $"{message} - {error}");
            w.WriteEndObject();
            w.WriteEndObject();
        }), true));
    }

    /// <summary>Subscribes the resolver's request handlers; a full resolver also answers lookups and packs, and
    /// compares its store with the other servers' every sync interval.</summary>
    internal void StartDirResolver(DirAccountResolver dr, string op, bool strict)
    {
        var store = dr.JwtStore;
        string cache = dr.IsCache ? " cache" : "";
        bool Known(string pub) => _s.LookupAccount(pub) is not null;

        // One account's update: the account named in the subject.
        void Update(string subject, string reply, byte[] msg)
        {
            var tk = subject.Split('.');
            string pubKey = tk.Length == 6 ? tk[3] : tk.Length == 5 ? tk[2] : "";
            if (pubKey.Length == 0)
            {
                _s.Logger.Debug($"DirResolver - jwt update{cache} skipped due to bad subject \"{subject}\"");
                return;
            }
            string jwt = Encoding.UTF8.GetString(msg);
            AccountClaims claim;
            try { claim = AccountClaims.Decode(jwt); }
            catch (JwtException e)
            {
                RespondToUpdate(reply, dr.IsCache ? pubKey : "n/a", $"jwt update{cache} resulted in error", e.Message);
                return;
            }
            if (!dr.IsCache && Validate(claim) is { } verr) RespondToUpdate(reply, claim.Subject, "jwt validation failed", verr);
            else if (claim.Subject != pubKey) RespondToUpdate(reply, pubKey, $"jwt update{cache} resulted in error", "subject does not match jwt content");
            else if (claim.Issuer == op && strict) RespondToUpdate(reply, pubKey, $"jwt update{cache} resulted in error", "operator requires issuer to be a signing key");
            else if (dr.IsCache && !Known(pubKey)) RespondToUpdate(reply, pubKey, "jwt update cache skipped", null);
            else if (dr.IsCache && Validate(claim) is { } cerr) RespondToUpdate(reply, claim.Subject, "jwt update cache validation failed", cerr);
            else Save(reply, pubKey, jwt);
        }

        // An update naming its account in the JWT only.
        void ClaimsUpdate(byte[] msg, string reply)
        {
            string jwt = Encoding.UTF8.GetString(msg);
            AccountClaims claim;
            try { claim = AccountClaims.Decode(jwt); }
            catch (JwtException e)
            {
                RespondToUpdate(reply, "n/a", $"jwt update{cache} resulted in error", e.Message);
                return;
            }
            if (claim.Issuer == op && strict) RespondToUpdate(reply, claim.Subject, $"jwt update{cache} resulted in error", "operator requires issuer to be a signing key");
            else if (dr.IsCache && !Known(claim.Subject)) RespondToUpdate(reply, claim.Subject, "jwt update cache skipped", null);
            else if (Validate(claim) is { } verr) RespondToUpdate(reply, claim.Subject, dr.IsCache ? "jwt update cache validation failed" : "jwt validation failed", verr);
            else Save(reply, claim.Subject, jwt);
        }

        void Save(string reply, string pubKey, string jwt)
        {
            try
            {
                store.Save(pubKey, jwt);
                RespondToUpdate(reply, pubKey, dr.IsCache ? "jwt updated cache" : "jwt updated", null);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or JwtException)
            {
                RespondToUpdate(reply, pubKey, $"jwt update{cache} resulted in error", e.Message);
            }
        }

        foreach (var subj in new[] { AccUpdateEventSubjOld, AccUpdateEventSubjNew })
            SysSubscribe(string.Format(CultureInfo.InvariantCulture, subj, "*"), (c, s, r, h, m) => Update(s, r, m));
        SysSubscribe(AccClaimsReqSubj, (c, s, r, h, m) => ClaimsUpdate(m, r));
        if (!dr.IsCache)
        {
            // Lookups are answered with the stored JWT, or an empty message when there is none.
            SysSubscribeInline(string.Format(CultureInfo.InvariantCulture, AccLookupReqSubj, "*"), (c, s, r, h, m) =>
            {
                if (r.Length == 0) return;
                var tk = s.Split('.');
                if (tk.Length != 6) return;
                try { SendRaw(r, Encoding.UTF8.GetBytes(store.LoadAcc(tk[3]))); }
                catch (FileNotFoundException)
                {
                    _s.Logger.Debug($"DirResolver - Could not find account \"{tk[3]}\"");
                    SendRaw(r, []);
                }
                catch (IOException e)
                {
                    _s.Logger.Error($"DirResolver - Error looking up account \"{tk[3]}\": {e.Message}");
                }
            });
            // Pack requests: nothing when the hashes match, else the store's JWTs then an empty message.
            SysSubscribeInline(AccPackReqSubj, (c, s, r, h, theirHash) =>
            {
                if (r.Length == 0) return;
                byte[] ours = store.Hash();
                if (theirHash.AsSpan().SequenceEqual(ours))
                {
                    SendRaw(r, []);
                    _s.Logger.Debug($"DirResolver - Pack request matches hash {Convert.ToHexStringLower(ours)}");
                    return;
                }
                try
                {
                    store.PackWalk(1, part => SendRaw(r, Encoding.UTF8.GetBytes(part)));
                    _s.Logger.Debug($"DirResolver - Pack request hash {Convert.ToHexStringLower(theirHash)} - finished responding with hash {Convert.ToHexStringLower(ours)}");
                    SendRaw(r, []);
                }
                catch (IOException e)
                {
                    _s.Logger.Error($"DirResolver - Pack request error: {e.Message}");
                }
            }, queue: "responder");
        }
        SysSubscribe(AccListReqSubj, (c, s, r, h, m) => HandleListRequest(store, r));
        SysSubscribe(AccDeleteReqSubj, (c, s, r, h, m) => HandleDeleteRequest(store, m, r));
        if (dr.IsCache) return;

        // Other servers' packs are merged into the store.
        string packInbox = NewRespInbox();
        _replies[packInbox] = msg =>
        {
            if (msg.Length == 0)
            {
                _s.Logger.Debug($"DirResolver - Merging finished and resulting in: {Convert.ToHexStringLower(store.Hash())}");
                return;
            }
            string before = Convert.ToHexStringLower(store.Hash());
            try
            {
                store.Merge(Encoding.UTF8.GetString(msg));
                _s.Logger.Debug($"DirResolver - Merging succeeded and changed {before} to {Convert.ToHexStringLower(store.Hash())}");
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or JwtException)
            {
                _s.Logger.Error($"DirResolver - Merging resulted in error: {e.Message}");
            }
        };
        _packTimer = new Timer(_ =>
        {
            if (_sendClosed) return;
            byte[] hash = store.Hash();
            _s.Logger.Debug($"DirResolver - Checking store state: {Convert.ToHexStringLower(hash)}");
            SendRaw(AccPackReqSubj, hash, packInbox);
        }, null, dr.SyncInterval, dr.SyncInterval);
    }

    /// <summary>Go's claimValidate: the blocking validation errors of the claims, or null.</summary>
    private static string? Validate(AccountClaims claim)
    {
        var errors = new List<string>();
        if (!NKeys.IsValidPublicAccountKey(claim.Subject)) errors.Add($"{claim.Subject} is not an account public key");
        errors.AddRange(claim.ImportErrors(DateTimeOffset.UtcNow).Where(e => e is not ("claim is expired" or "claim is not yet valid")));
        return errors.Count == 0 ? null : $"validation errors: [{string.Join(" ", errors)}]";
    }

    /// <summary>Go's handleListRequest: every stored account's public key.</summary>
    private void HandleListRequest(DirJwtStore store, string reply)
    {
        if (reply.Length == 0) return;
        var ids = new List<string>();
        try
        {
            store.PackWalk(1, part =>
            {
                var tk = part.Split('|');
                if (tk.Length == 2) ids.Add(tk[0]);
            });
        }
        catch (IOException e)
        {
            _s.Logger.Error($"list request error: {e.Message}");
            return;
        }
        _s.Logger.Debug($"list request responded with {ids.Count} account ids");
        Push(new PubMsg(null, reply, "", st => Json(w =>
        {
            w.WriteStartObject();
            WriteServerInfo(w, st);
            w.WriteStartArray("data");
            foreach (var id in ids) w.WriteStringValue(id);
            w.WriteEndArray();
            w.WriteEndObject();
        }), true));
    }

    /// <summary>Go's handleDeleteRequest: a generic JWT self-signed by a trusted operator key listing the accounts
    /// to delete (never the system account), when the resolver allows deletes.</summary>
    private void HandleDeleteRequest(DirJwtStore store, byte[] msg, string reply)
    {
        string subj = "";
        string? err = null;
        var accIds = new List<string>();
        try
        {
            var o = JwtCodec.DecodeVerified(Encoding.UTF8.GetString(msg));
            subj = JwtClaims.Str(o, "sub");
            string iss = JwtClaims.Str(o, "iss");
            if (store.DeleteType == JwtDeleteType.NoDelete) err = "delete must be enabled in server config";
            else if (subj != iss) err = "not self signed";
            else if (!store.OperatorKeys.Contains(iss)) err = "not trusted";
            else if (o["nats"] is not System.Text.Json.Nodes.JsonObject data || data["accounts"] is not { } list) err = "malformed request";
            else if (list is not System.Text.Json.Nodes.JsonArray arr) err = "malformed request";
            else
            {
                string sys = _s.SystemAccount?.Name ?? "";
                foreach (var entry in arr)
                {
                    if (entry is not System.Text.Json.Nodes.JsonValue v || !v.TryGetValue(out string? acc) || acc.Length == 0
                        || !NKeys.IsValidPublicAccountKey(acc))
                    {
                        err = "malformed request";
                        break;
                    }
                    if (acc == sys)
                    {
                        err = "not allowed to delete system account";
                        break;
                    }
                    accIds.Add(acc);
                }
            }
        }
        catch (Exception e) when (e is JwtException or JsonException)
        {
            err = e.Message;
        }
        if (err is not null)
        {
            RespondToUpdate(reply, "", $"delete accounts request by {subj} failed", err);
            return;
        }
        var errs = new List<string>();
        int passed = 0;
        foreach (var acc in accIds)
        {
            try
            {
                store.Delete(acc);
                passed++;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                errs.Add(e.Message);
            }
        }
        if (errs.Count == 0) RespondToUpdate(reply, "", $"deleted {passed} accounts", null);
        else RespondToUpdate(reply, "", $"deleted {passed} accounts, failed for {errs.Count}", string.Join("\n", errs));
    }

    /// <summary>Go's Server.fetch: asks the servers for an account's JWT and stores the first one answered (an empty
    /// answer means none has it); null when none arrives within <paramref name="timeout"/>.</summary>
    internal string? FetchAccountJwt(IAccountResolver res, string name, TimeSpan timeout)
    {
        if (_sendClosed) return null;
        string inbox = NewRespInbox();
        var done = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _replies[inbox] = msg => done.TrySetResult(msg);
        try
        {
            SendRaw(string.Format(CultureInfo.InvariantCulture, AccLookupReqSubj, name), [], inbox);
            if (!done.Task.Wait(timeout))
            {
                _s.Logger.Debug($"fetching jwt for {name} timed out");
                return null;
            }
            byte[] m = done.Task.Result;
            if (m.Length == 0) return null;
            string jwt = Encoding.UTF8.GetString(m);
            res.Store(name, jwt);
            return jwt;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return null;
        }
        finally
        {
            _replies.TryRemove(inbox, out _);
        }
    }
}
