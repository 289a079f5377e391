using NatsParity.Server.Ocsp;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Ocsp;

/// <summary>Ports of server/certidp's unit tests.</summary>
public sealed class CertIdpTests
{
    [Theory, GoTest("server/certidp/certidp_test.go", "TestGetStatusAssertionStr")]
    [InlineData(0, "good")]
    [InlineData(1, "revoked")]
    [InlineData(2, "unknown")]
    [InlineData(42, "unknown")] // an invalid status reads as unknown
    public void GetStatusAssertionStr(int input, string expected) => OcspPeer.StatusString(input).ShouldBe(expected);

    [Fact, GoTest("server/certidp/ocsp_responder_test.go", "TestEncodeOCSPRequest")]
    public void EncodeOcspRequest()
    {
        byte[] data = "test data for OCSP request"u8.ToArray();
        string encoded = OcspPeer.EncodeRequest(data);
        encoded.IndexOfAny(['+', '/', '=']).ShouldBe(-1, $"URL contains unescaped characters: {encoded}");
        // Go's url.QueryUnescape then base64 decoding gives the request back.
        Convert.FromBase64String(System.Net.WebUtility.UrlDecode(encoded)).ShouldBe(data);
    }
}
