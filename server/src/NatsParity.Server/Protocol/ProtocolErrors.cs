namespace NatsParity.Server.Protocol;

/// <summary>Error texts exactly as Go's server sends or logs them (errors.go, client.go, parser.go).</summary>
public static class ProtocolErrors
{
    public const string UnknownProtocolOperation = "Unknown Protocol Operation";
    public const string MaxPayloadViolation = "Maximum Payload Violation";
    public const string InvalidSubject = "Invalid Subject";
    public const string InvalidPublishSubject = "Invalid Publish Subject";
    public const string StaleConnection = "Stale Connection";
    public const string AuthorizationViolation = "Authorization Violation";
    public const string AuthenticationTimeout = "Authentication Timeout";
    public const string SecureConnectionTlsRequired = "Secure Connection - TLS Required";

    // errors.go texts sent verbatim with sendErr(err.Error()).
    public const string MaxControlLineExceeded = "maximum control line exceeded";
    public const string TooManyConnections = "maximum connections exceeded";
    public const string TooManyAccountConnections = "maximum account active connections exceeded";
    public const string TooManySubs = "maximum subscriptions exceeded";
    public const string BadClientProtocol = "invalid client protocol";
    public const string NoRespondersRequiresHeaders = "no responders requires headers support";
    public const string MsgHeadersNotSupported = "message headers not supported";
    public const string MaxPayloadExceeded = "maximum payload exceeded";
    public const string AuthenticationError = "authentication error";
}
