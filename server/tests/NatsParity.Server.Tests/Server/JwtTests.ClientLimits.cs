using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using Shouldly;
using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Port of server/client_test.go's TestClientLimits: a client's payload and subscription limits are the
/// smallest of its user JWT's, its account's and the server's (unlimited where none is set).</summary>
public sealed partial class JwtTests
{
    public static TheoryData<int, int, int, int> LimitCases => new()
    {
        // All identical.
        { 1, 1, 1, 1 },
        { -1, -1, 0, -1 },
        // Only one set.
        { 1, -1, 0, 1 },
        { -1, 1, 0, 1 },
        { -1, -1, 1, 1 },
        // Distinct values in every order.
        { 1, 2, 3, 1 },
        { 1, 3, 2, 1 },
        { 2, 1, 3, 1 },
        { 2, 3, 1, 1 },
        { 3, 1, 2, 1 },
        { 3, 2, 1, 1 },
    };

    [Theory, MemberData(nameof(LimitCases)), GoTest("server/client_test.go", "TestClientLimits")]
    public async Task ClientLimits(int client, int acc, int srv, int expect)
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        // Go sets the running server's options; zero means no limit.
        s.Options.MaxPayload = srv;
        s.Options.MaxSubscriptions = srv;
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var ac = new AccountClaims(akp.PublicKey);
        ac.Limits.Payload = acc;
        ac.Limits.Subs = acc;
        s.AccountResolver!.Store(akp.PublicKey, ac.Encode(Operator));
        using var c = Connected(s, akp, new UserClaims("") { Payload = client, Subs = client });
        var sc = ServerSide(s, c);
        sc.MaxPayload.ShouldBe(expect);
        sc.MaxSubscriptions.ShouldBe(expect);
    }
}
