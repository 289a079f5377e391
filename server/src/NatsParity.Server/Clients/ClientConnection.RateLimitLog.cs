namespace NatsParity.Server.Clients;

/// <summary>Go's client-scoped rate-limited logging: limited by the statement without the connection string (so the
/// same event from many clients is logged once per interval), logged with it.</summary>
public sealed partial class ClientConnection
{
    /// <summary>Go's formatNoClientInfo: the statement with the account's label, when the client has one.</summary>
    private string FormatNoClientInfo(string statement) => _ncsAcc is { } acc ? $"{statement} - Account:{acc}" : statement;

    /// <summary>Go's formatClientSuffix: " - " and the user's label, when there is one.</summary>
    private string ClientSuffix => string.IsNullOrEmpty(_ncsUser) ? "" : $" - {_ncsUser}";

    private string RateLimitLine(string statement)
    {
        string self = ToString();
        return self.Length > 0 ? $"{self} - {statement}{ClientSuffix}" : $"{statement}{ClientSuffix}";
    }

    /// <summary>Go's client RateLimitWarnf.</summary>
    internal void RateLimitWarn(string statement)
    {
        statement = FormatNoClientInfo(statement);
        if (_server.RateLimitLogFirst(statement)) _server.Logger.Warn(RateLimitLine(statement));
    }

    /// <summary>Go's client rateLimitFormatWarnf: limited by <paramref name="format"/>, whatever its values.</summary>
    internal void RateLimitFormatWarn(string format, string statement)
    {
        if (_server.RateLimitLogFirst(FormatNoClientInfo(format))) _server.Logger.Warn(RateLimitLine(FormatNoClientInfo(statement)));
    }

    /// <summary>Go's client RateLimitErrorf.</summary>
    internal void RateLimitError(string statement)
    {
        statement = FormatNoClientInfo(statement);
        if (_server.RateLimitLogFirst(statement)) _server.Logger.Error(RateLimitLine(statement));
    }

    /// <summary>Go's client RateLimitDebugf.</summary>
    internal void RateLimitDebug(string statement)
    {
        statement = FormatNoClientInfo(statement);
        if (_server.RateLimitLogFirst(statement)) _server.Logger.Debug(RateLimitLine(statement));
    }
}
