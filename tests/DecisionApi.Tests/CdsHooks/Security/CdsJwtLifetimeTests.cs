using DecisionApi.Features.CdsHooks.Security;

namespace DecisionApi.Tests.CdsHooks.Security;

/// <summary>Issue #22, defects 1 and 4: token lifetimes are capped before any date arithmetic; the replay cache is per client.</summary>
public sealed class CdsJwtLifetimeTests : IDisposable
{
    private static readonly string[] Audience = [JwtTestIssuer.DefaultAudience];

    private readonly JwtTestIssuer ehr = new();
    private readonly CdsJwtValidator validator;

    public CdsJwtLifetimeTests() => validator = Validators.Create(Validators.Trusting(ehr.Client()));

    public void Dispose() => ehr.Dispose();

    private Task<CdsJwtValidationResult> Check(string token) =>
        validator.ValidateTokenAsync(Validators.Bearer(token), Audience, CancellationToken.None);

    [Theory]
    [InlineData(253402300740d)] // the year 10000: overflowed exp + skew into a 500
    [InlineData(253402300799d)]
    [InlineData(253402300800d)]
    [InlineData(1e300)]
    public async Task An_exp_at_the_end_of_time_is_refused_without_a_signature_and_without_throwing(double exp)
    {
        var result = await Check(ehr.Es384WithImpostorKey(c => c["exp"] = exp));

        result.Failure.Should().Be(CdsJwtFailure.LifetimeTooLong);
    }

    [Fact]
    public async Task A_token_valid_for_ten_years_is_refused() =>
        (await Check(ehr.Es384(c => c["exp"] = DateTimeOffset.UtcNow.AddYears(10).ToUnixTimeSeconds()))).Failure
            .Should().Be(CdsJwtFailure.LifetimeTooLong);

    [Fact]
    public async Task A_token_whose_exp_minus_iat_exceeds_the_cap_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        var result = await Check(ehr.Es384(c =>
        {
            c["iat"] = now.AddMinutes(-10).ToUnixTimeSeconds();
            c["exp"] = now.AddMinutes(1).ToUnixTimeSeconds();
        }));

        result.Failure.Should().Be(CdsJwtFailure.LifetimeTooLong);
    }

    [Fact]
    public async Task A_five_minute_token_is_accepted() =>
        (await Check(ehr.Es384())).IsValid.Should().BeTrue();

    [Fact]
    public async Task The_cap_is_configurable()
    {
        var options = Validators.Trusting(ehr.Client());
        options.Authentication.MaxLifetimeSeconds = 60;
        var strict = Validators.Create(options);

        (await strict.ValidateTokenAsync(Validators.Bearer(ehr.Es384()), Audience, CancellationToken.None)).Failure
            .Should().Be(CdsJwtFailure.LifetimeTooLong);
    }

    [Fact]
    public void One_client_filling_its_replay_cache_does_not_refuse_another_client()
    {
        var cache = new CdsJtiReplayCache(TimeProvider.System);
        var keep = DateTimeOffset.UtcNow.AddMinutes(5);
        var registered = 0;
        while (cache.TryRegister("https://flood.example", Guid.NewGuid().ToString(), keep))
        {
            registered++;
            registered.Should().BeLessThan(1_000_000, "the per-client part is bounded");
        }

        cache.BytesOf("https://flood.example").Should().BeLessThanOrEqualTo(CdsJtiReplayCache.MaxBytesPerClient);
        cache.TryRegister("https://other-ehr.example", Guid.NewGuid().ToString(), keep).Should().BeTrue();
        cache.TryRegister("https://flood.example", Guid.NewGuid().ToString(), keep).Should().BeFalse("the flooding client fails closed");
    }

    [Fact]
    public void Expired_entries_free_their_client_s_budget()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var cache = new CdsJtiReplayCache(clock);
        var keep = clock.GetUtcNow().AddMinutes(5);
        while (cache.TryRegister("https://flood.example", Guid.NewGuid().ToString(), keep))
        {
        }

        clock.Advance(TimeSpan.FromMinutes(6));
        cache.TryRegister("https://flood.example", Guid.NewGuid().ToString(), clock.GetUtcNow().AddMinutes(5)).Should().BeTrue();
    }

    [Fact]
    public void A_replayed_jti_is_refused_for_its_client_only()
    {
        var cache = new CdsJtiReplayCache(TimeProvider.System);
        var keep = DateTimeOffset.UtcNow.AddMinutes(5);
        cache.TryRegister("a", "same", keep).Should().BeTrue();
        cache.TryRegister("a", "same", keep).Should().BeFalse();
        cache.TryRegister("b", "same", keep).Should().BeTrue();
    }
}
