using System.Text.RegularExpressions;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Auth.Jwt;

/// <summary>
/// Go's processUserPermissionsTemplate: a scoped signing key's template made concrete for one user. A subject may hold
/// {{name()}}, {{subject()}}, {{account-name()}}, {{account-subject()}}, {{tag(x)}} and {{account-tag(x)}}; a tag
/// expands to every value of the user's (or account's) "x:value" tags, several tags in one subject to every
/// combination. Allow entries that cannot be made are left out (an allow list emptied that way becomes "deny >");
/// deny entries that cannot be made are an error.
/// </summary>
public static partial class PermissionTemplates
{
    /// <summary>Go's maxPermTemplateSubjectExpansions.</summary>
    public const int MaxSubjectExpansions = 4096;

    [GeneratedRegex(@"\{\{([^}]+)\}\}")]
    private static partial Regex Mustache();

    /// <summary>The template for <paramref name="user"/> of the account named <paramref name="accountNameTag"/> (its
    /// claims' name) with <paramref name="accountTags"/>; an error when a deny entry or an operation cannot be made.</summary>
    public static (UserPermissionLimits? Limits, string? Error) Apply(UserPermissionLimits template, UserClaims user,
        string accountNameTag, IReadOnlyList<string> accountTags)
    {
        var lim = template.Clone();
        var perms = lim.Permissions;
        bool subAllowWasSet = perms.Sub.Allow.Count > 0, pubAllowWasSet = perms.Pub.Allow.Count > 0;
        string? err;
        (perms.Sub.Allow, err) = Expand(perms.Sub.Allow, false, user, accountNameTag, accountTags);
        if (err is null) (perms.Sub.Deny, err) = Expand(perms.Sub.Deny, true, user, accountNameTag, accountTags);
        if (err is null) (perms.Pub.Allow, err) = Expand(perms.Pub.Allow, false, user, accountNameTag, accountTags);
        if (err is null) (perms.Pub.Deny, err) = Expand(perms.Pub.Deny, true, user, accountNameTag, accountTags);
        if (err is not null) return (null, err);
        if (subAllowWasSet && perms.Sub.Allow.Count == 0) AddOnce(perms.Sub.Deny, ">");
        if (pubAllowWasSet && perms.Pub.Allow.Count == 0) AddOnce(perms.Pub.Deny, ">");
        return (lim, null);
    }

    private static void AddOnce(List<string> list, string s)
    {
        if (!list.Contains(s)) list.Add(s);
    }

    /// <summary>"tag(x)" or "account-tag(x)" (case-insensitive): which list and the tag name.</summary>
    private static (bool Account, string Name)? TagOp(string op)
    {
        if (op.Length >= 4 && op.StartsWith("tag(", StringComparison.OrdinalIgnoreCase) && op.EndsWith(')'))
            return (false, op[4..^1]);
        if (op.Length >= 12 && op.StartsWith("account-tag(", StringComparison.OrdinalIgnoreCase) && op.EndsWith(')'))
            return (true, op[12..^1]);
        return null;
    }

    private static (List<string> List, string? Error) Expand(List<string> list, bool failOnBadSubject, UserClaims user,
        string accountNameTag, IReadOnlyList<string> accountTags)
    {
        if (!list.Any(s => Mustache().IsMatch(s))) return (list, null);
        var emitted = new List<string>(list.Count);
        foreach (string entry in list)
        {
            var tokens = Mustache().Matches(entry).Select(m => m.Value).ToList();
            var values = new List<string>[tokens.Count];
            bool hasTags = false;
            for (int i = 0; i < tokens.Count; i++)
            {
                string op = tokens[i][2..^2].Trim();
                if (op.Equals("name()", StringComparison.OrdinalIgnoreCase)) values[i] = [user.Name];
                else if (op.Equals("subject()", StringComparison.OrdinalIgnoreCase)) values[i] = [user.Subject];
                else if (op.Equals("account-name()", StringComparison.OrdinalIgnoreCase)) values[i] = [accountNameTag];
                else if (op.Equals("account-subject()", StringComparison.OrdinalIgnoreCase)) values[i] = [user.IssuerAccount];
                else if (TagOp(op) is { } tag)
                {
                    hasTags = true;
                    string prefix = tag.Name.ToLowerInvariant() + ":";
                    var found = (tag.Account ? accountTags : user.Tags)
                        .Where(t => t.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t[prefix.Length..]).ToList();
                    if (found.Count > 0) values[i] = found;
                    else if (failOnBadSubject) return ([], $"generated invalid subject \"{entry}\": \"{tag.Name}\" is not defined");
                    else values[i] = [" "]; // makes an invalid subject, so the entry is left out
                }
                else
                {
                    return ([], $"template operation in \"{entry}\": \"{op}\" is not defined");
                }
            }
            if (!hasTags)
            {
                string subj = entry;
                for (int i = 0; i < tokens.Count; i++) subj = subj.Replace(tokens[i], values[i][0], StringComparison.Ordinal);
                if (SubjectValidation.IsValidSubject(subj)) emitted.Add(subj);
                else if (failOnBadSubject) return ([], "generated invalid subject");
                continue;
            }
            int count = 1;
            foreach (var v in values)
            {
                if (count > MaxSubjectExpansions / v.Count) return ([], $"template expansion exceeds limit: {MaxSubjectExpansions}");
                count *= v.Count;
            }
            if (emitted.Count > MaxSubjectExpansions - count) return ([], $"template expansion exceeds limit: {MaxSubjectExpansions}");
            // Every combination, the last token varying fastest (Go's n-ary cartesian product).
            var idx = new int[values.Length];
            for (int n = 0; n < count; n++)
            {
                string subj = entry;
                for (int j = 0; j < tokens.Count; j++) subj = subj.Replace(tokens[j], values[j][idx[j]], StringComparison.Ordinal);
                if (SubjectValidation.IsValidSubject(subj)) emitted.Add(subj);
                else if (failOnBadSubject) return ([], "generated invalid subject");
                for (int j = idx.Length - 1; j >= 0; j--)
                {
                    if (++idx[j] < values[j].Count) break;
                    idx[j] = 0;
                }
            }
        }
        return (emitted, null);
    }
}
