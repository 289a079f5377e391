using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using Shouldly;
using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/log_test.go: secrets never reach the trace log.</summary>
public sealed class TraceRedactionTests
{
    public static TheoryData<string, string, string> RemovePassFromTraceCases => new()
    {
        { "user and pass", "CONNECT {\"user\":\"derek\",\"pass\":\"s3cr3t\"}\r\n", "CONNECT {\"user\":\"derek\",\"pass\":\"[REDACTED]\"}\r\n" },
        { "user and pass extra space", "CONNECT {\"user\":\"derek\",\"pass\":  \"s3cr3t\"}\r\n", "CONNECT {\"user\":\"derek\",\"pass\":  \"[REDACTED]\"}\r\n" },
        { "user and pass is empty", "CONNECT {\"user\":\"derek\",\"pass\":\"\"}\r\n", "CONNECT {\"user\":\"derek\",\"pass\":\"[REDACTED]\"}\r\n" },
        { "user and pass is empty whitespace", "CONNECT {\"user\":\"derek\",\"pass\":\"               \"}\r\n", "CONNECT {\"user\":\"derek\",\"pass\":\"[REDACTED]\"}\r\n" },
        { "user and pass whitespace", "CONNECT {\"user\":\"derek\",\"pass\":    \"s3cr3t\"     }\r\n", "CONNECT {\"user\":\"derek\",\"pass\":    \"[REDACTED]\"     }\r\n" },
        { "only pass", "CONNECT {\"pass\":\"s3cr3t\",}\r\n", "CONNECT {\"pass\":\"[REDACTED]\",}\r\n" },
        { "invalid json", "CONNECT {pass:s3cr3t ,   password =  s3cr3t}", "CONNECT {pass:[REDACTED],   password =  [REDACTED]}" },
        { "invalid json no whitespace after key", "CONNECT {pass:s3cr3t ,   password=  s3cr3t}", "CONNECT {pass:[REDACTED],   password=  [REDACTED]}" },
        { "both pass and wrong password key", "CONNECT {\"pass\":\"s3cr3t4\", \"password\": \"s3cr3t4\"}", "CONNECT {\"pass\":\"[REDACTED]\", \"password\": \"[REDACTED]\"}" },
        { "invalid json", "CONNECT {user = hello, password =  s3cr3t}", "CONNECT {user = hello, password =  [REDACTED]}" },
        { "complete connect", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"pass\":\"s3cr3t\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"pass\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n" },
        { "invalid json with only pass key", "CONNECT {pass:s3cr3t\r\n", "CONNECT {pass:[REDACTED]\r\n" },
        { "invalid password key also filtered", "CONNECT {\"password\":\"s3cr3t\",}\r\n", "CONNECT {\"password\":\"[REDACTED]\",}\r\n" },
        { "single long password with whitespace", "CONNECT {\"pass\":\"secret password which is very long\",}\r\n", "CONNECT {\"pass\":\"[REDACTED]\",}\r\n" },
        { "single long pass key is filtered", "CONNECT {\"pass\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}\r\n", "CONNECT {\"pass\":\"[REDACTED]\"}\r\n" },
        { "duplicate keys all filtered", "CONNECT {\"pass\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"pass\":\"BBBBBBBBBBBBBBBBBBBB\",\"password\":\"CCCCCCCCCCCCCCCC\"}\r\n", "CONNECT {\"pass\":\"[REDACTED]\",\"pass\":\"[REDACTED]\",\"password\":\"[REDACTED]\"}\r\n" },
        { "invalid json with multiple keys all filtered", "CONNECT {pass = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",pass= \"BBBBBBBBBBBBBBBBBBBB\",password =\"CCCCCCCCCCCCCCCC\"}\r\n", "CONNECT {pass = \"[REDACTED]\",pass= \"[REDACTED]\",password =\"[REDACTED]\"}\r\n" },
        { "complete connect protocol", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"pass\":\"s3cr3t\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"pass\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n" },
        { "user and pass are filterered", "CONNECT {\"user\":\"s3cr3t\",\"pass\":\"s3cr3t\"}\r\n", "CONNECT {\"user\":\"s3cr3t\",\"pass\":\"[REDACTED]\"}\r\n" },
        { "complete connect using password key with user and password being the same", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"s3cr3t\",\"tls_required\":false,\"name\":\"...\"}\r\n", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"...\"}\r\n" },
        { "complete connect with user password and name all the same", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"s3cr3t\",\"tls_required\":false,\"name\":\"s3cr3t\"}\r\n", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"s3cr3t\"}\r\n" },
        { "complete connect extra white space at the beginning", "CONNECT 	 {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"s3cr3t\",\"tls_required\":false,\"name\":\"foo\"}\r\n", "CONNECT 	 {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"foo\"}\r\n" },
    };

    [Theory, MemberData(nameof(RemovePassFromTraceCases)), GoTest("server/log_test.go", "TestRemovePassFromTrace")]
    public void RemovePassFromTrace(string name, string input, string expected) =>
        ClientConnection.RedactSecrets(input).ShouldBe(expected, name);

    public static TheoryData<string, string, string> RemoveAuthTokenFromTraceCases => new()
    {
        { "user and auth_token", "CONNECT {\"user\":\"derek\",\"auth_token\":\"s3cr3t\"}\r\n", "CONNECT {\"user\":\"derek\",\"auth_token\":\"[REDACTED]\"}\r\n" },
        { "user and pass extra space", "CONNECT {\"user\":\"derek\",\"auth_token\":  \"s3cr3t\"}\r\n", "CONNECT {\"user\":\"derek\",\"auth_token\":  \"[REDACTED]\"}\r\n" },
        { "user and pass is empty", "CONNECT {\"user\":\"derek\",\"auth_token\":\"\"}\r\n", "CONNECT {\"user\":\"derek\",\"auth_token\":\"[REDACTED]\"}\r\n" },
        { "user and pass is empty whitespace", "CONNECT {\"user\":\"derek\",\"auth_token\":\"               \"}\r\n", "CONNECT {\"user\":\"derek\",\"auth_token\":\"[REDACTED]\"}\r\n" },
        { "user and pass whitespace", "CONNECT {\"user\":\"derek\",\"auth_token\":    \"s3cr3t\"     }\r\n", "CONNECT {\"user\":\"derek\",\"auth_token\":    \"[REDACTED]\"     }\r\n" },
        { "only pass", "CONNECT {\"auth_token\":\"s3cr3t\",}\r\n", "CONNECT {\"auth_token\":\"[REDACTED]\",}\r\n" },
        { "invalid json", "CONNECT {auth_token:s3cr3t ,   password =  s3cr3t}", "CONNECT {auth_token:[REDACTED],   password =  [REDACTED]}" },
        { "invalid json no whitespace after key", "CONNECT {auth_token:s3cr3t ,   password=  s3cr3t}", "CONNECT {auth_token:[REDACTED],   password=  [REDACTED]}" },
        { "both pass and wrong password key", "CONNECT {\"auth_token\":\"s3cr3t4\", \"password\": \"s3cr3t4\"}", "CONNECT {\"auth_token\":\"[REDACTED]\", \"password\": \"[REDACTED]\"}" },
        { "invalid json", "CONNECT {user = hello, auth_token =  s3cr3t}", "CONNECT {user = hello, auth_token =  [REDACTED]}" },
        { "complete connect", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n" },
        { "invalid json with only pass key", "CONNECT {auth_token:s3cr3t\r\n", "CONNECT {auth_token:[REDACTED]\r\n" },
        { "invalid password key also filtered", "CONNECT {\"auth_token\":\"s3cr3t\",}\r\n", "CONNECT {\"auth_token\":\"[REDACTED]\",}\r\n" },
        { "single long password with whitespace", "CONNECT {\"auth_token\":\"secret password which is very long\",}\r\n", "CONNECT {\"auth_token\":\"[REDACTED]\",}\r\n" },
        { "single long pass key is filtered", "CONNECT {\"auth_token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}\r\n", "CONNECT {\"auth_token\":\"[REDACTED]\"}\r\n" },
        { "duplicate keys all filtered", "CONNECT {\"auth_token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"auth_token\":\"BBB\",\"pass\":\"BBBBBBBBBBBBBBBBBBBB\",\"password\":\"CCCCCCCCCCCCCCCC\"}\r\n", "CONNECT {\"auth_token\":\"[REDACTED]\",\"auth_token\":\"[REDACTED]\",\"pass\":\"[REDACTED]\",\"password\":\"[REDACTED]\"}\r\n" },
        { "invalid json with multiple keys all filtered", "CONNECT {auth_token = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",pass= \"BBBBBBBBBBBBBBBBBBBB\",password =\"CCCCCCCCCCCCCCCC\"}\r\n", "CONNECT {auth_token = \"[REDACTED]\",pass= \"[REDACTED]\",password =\"[REDACTED]\"}\r\n" },
        { "complete connect protocol", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n" },
        { "user and token are filterered", "CONNECT {\"user\":\"s3cr3t\",\"auth_token\":\"s3cr3t\"}\r\n", "CONNECT {\"user\":\"s3cr3t\",\"auth_token\":\"[REDACTED]\"}\r\n" },
        { "complete connect using token key with user and token being the same", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"...\"}\r\n", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"...\"}\r\n" },
        { "complete connect with user, token and name all the same", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"s3cr3t\"}\r\n", "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"s3cr3t\"}\r\n" },
        { "complete connect extra white space at the beginning", "CONNECT 	 {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"foo\"}\r\n", "CONNECT 	 {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"foo\"}\r\n" },
    };

    [Theory, MemberData(nameof(RemoveAuthTokenFromTraceCases)), GoTest("server/log_test.go", "TestRemoveAuthTokenFromTrace")]
    public void RemoveAuthTokenFromTrace(string name, string input, string expected) =>
        ClientConnection.RedactSecrets(input).ShouldBe(expected, name);

    public static TheoryData<string, string, string> RemoveAdditionalAuthFieldsFromTraceCases => new()
    {
        { "sig", "CONNECT {\"sig\":\"signature\",\"user\":\"foo\"}\r\n", "CONNECT {\"sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n" },
        { "nkey", "CONNECT {\"nkey\":\"nkey\",\"user\":\"foo\"}\r\n", "CONNECT {\"nkey\":\"[REDACTED]\",\"user\":\"foo\"}\r\n" },
        { "proxy sig", "CONNECT {\"proxy_sig\":\"proxy-signature\",\"user\":\"foo\"}\r\n", "CONNECT {\"proxy_sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n" },
        { "proxy sig followed by sig", "CONNECT {\"proxy_sig\":\"proxy-signature\",\"sig\":\"sig\",\"user\":\"foo\"}\r\n", "CONNECT {\"proxy_sig\":\"[REDACTED]\",\"sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n" },
        { "sig followed by proxy sig", "CONNECT {\"sig\":\"sig\",\"proxy_sig\":\"proxy-signature\",\"user\":\"foo\"}\r\n", "CONNECT {\"sig\":\"[REDACTED]\",\"proxy_sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n" },
        { "sig marker inside another string still redacts real sig", "CONNECT {\"name\":\"foo sig:bar\",\"sig\":\"REAL\",\"user\":\"foo\"}\r\n", "CONNECT {\"name\":\"foo sig:[REDACTED]\",\"sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n" },
        { "malformed sig without object delimiters", "CONNECT sig=abc\r\n", "CONNECT sig=[REDACTED]\r\n" },
        { "sig after malformed quoted field is redacted", "CONNECT {\"name\":\"unterminated,\"sig\":\"abc\"}\r\n", "CONNECT {\"name\":\"unterminated,\"sig\":\"[REDACTED]\"}\r\n" },
    };

    [Theory, MemberData(nameof(RemoveAdditionalAuthFieldsFromTraceCases)), GoTest("server/log_test.go", "TestRemoveAdditionalAuthFieldsFromTrace")]
    public void RemoveAdditionalAuthFieldsFromTrace(string name, string input, string expected) =>
        ClientConnection.RedactSecrets(input).ShouldBe(expected, name);

    [Fact, GoTest("server/log_test.go", "TestNoPasswordsFromConnectTrace")]
    public async Task NoPasswordsFromConnectTrace()
    {
        string log = Path.Combine(Path.GetTempPath(), $"natsparity-trace-{Guid.NewGuid():N}.log");
        try
        {
            var s = InProcess.Run(new ServerOptions { Trace = true, Username = "derek", Password = "s3cr3t", LogFile = log });
            await using (s)
            {
                using var c = NatsParity.Testing.ProtoClient.Connect("127.0.0.1", s.Port);
                c.Send("CONNECT {\"user\":\"derek\",\"pass\":\"s3cr3t\",\"verbose\":false}\r\nPING\r\n");
                c.ExpectLine(NatsParity.Testing.ProtoRegex.Pong);
            }
            string text = File.ReadAllText(log);
            text.ShouldContain("<<- [CONNECT {\"user\":\"derek\",\"pass\":\"[REDACTED]\",\"verbose\":false}]");
            text.Contains("s3cr3t").ShouldBeFalse("password found in the trace");
        }
        finally
        {
            File.Delete(log);
        }
    }
}
