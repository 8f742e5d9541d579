using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bot.Core.Domain;
using Bot.Core.Ports;

namespace Bot.Web.Security;

/// <summary>Who a valid token speaks for, and until when.</summary>
/// <param name="TokenId">The token's random id: what makes a sign-in link single-use (<see cref="ISignInLinkLedger"/>).</param>
public sealed record WebIdentity(ActorId Actor, WebRole Role, DateTimeOffset ExpiresAt, string TokenId);

/// <summary>Why a token was refused; each has its own page text.</summary>
public enum TokenRefusal { Malformed, BadSignature, Expired, WrongPurpose }

/// <summary>
/// Signed tokens: <c>v1.{payload}.{mac}</c>, both base64url, the MAC HMAC-SHA256 over "v1." +
/// payload. The payload names its purpose (a sign-in link or a session), so a link cannot be
/// used as a cookie or the other way round, and carries the actor, the role, the expiry and a
/// random id (by which a sign-in link is redeemed once).
/// </summary>
public sealed class WebTokens(SigningKey key, TimeProvider time)
{
    public const string LinkPurpose = "link";
    public const string SessionPurpose = "session";
    private const string Version = "v1";

    private sealed record Payload(string P, string A, string R, long E, string N);

    public string Create(string purpose, ActorId actor, WebRole role, TimeSpan lifetime)
    {
        var payload = new Payload(purpose, actor.Value, role == WebRole.Researcher ? "researcher" : "contractor",
            time.GetUtcNow().Add(lifetime).ToUnixTimeSeconds(), Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
        var body = Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload));
        return $"{Version}.{body}.{Base64Url(Mac(body))}";
    }

    /// <summary>Checks shape, signature (in constant time), purpose and expiry, in that order.</summary>
    public (WebIdentity? Identity, TokenRefusal? Refusal) Verify(string? token, string purpose)
    {
        var parts = (token ?? "").Split('.');
        if (parts.Length != 3 || parts[0] != Version || parts[1].Length is 0 or > 1024 || parts[2].Length is 0 or > 100) return (null, TokenRefusal.Malformed);
        byte[] mac;
        try { mac = FromBase64Url(parts[2]); }
        catch (FormatException) { return (null, TokenRefusal.Malformed); }
        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(parts[1]))) return (null, TokenRefusal.BadSignature);
        Payload? payload;
        try { payload = JsonSerializer.Deserialize<Payload>(FromBase64Url(parts[1])); }
        catch (Exception ex) when (ex is JsonException or FormatException) { return (null, TokenRefusal.Malformed); }
        if (payload is null || payload.R is not ("researcher" or "contractor") || string.IsNullOrEmpty(payload.A) || payload.N is not { Length: > 0 and <= 64 }) return (null, TokenRefusal.Malformed);
        if (payload.P != purpose) return (null, TokenRefusal.WrongPurpose);
        var expires = DateTimeOffset.FromUnixTimeSeconds(payload.E);
        if (expires <= time.GetUtcNow()) return (null, TokenRefusal.Expired);
        return (new WebIdentity(new ActorId(payload.A), payload.R == "researcher" ? WebRole.Researcher : WebRole.Contractor, expires, payload.N), null);
    }

    private byte[] Mac(string body) => HMACSHA256.HashData(key.Bytes, Encoding.ASCII.GetBytes(Version + "." + body));

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
