using System.Buffers.Text;
using System.Text;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// The continuation of a paged list: the last id of the page, opaque to clients (base64url with a version tag) so
/// that the key-range paging behind it can change without breaking them, and checked on the way back in.
/// </summary>
public static class PageToken
{
    private const string Tag = "p1:";

    public static string Encode(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Tag + lastId));

    /// <summary>The id a token continues after; false for anything this API did not hand out.</summary>
    public static bool TryDecode(string? token, out string after)
    {
        after = "";
        if (string.IsNullOrEmpty(token) || token.Length > 8 * Identifiers.MaxLength || !Base64Url.IsValid(token))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(token));
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            return false;
        }

        if (!text.StartsWith(Tag, StringComparison.Ordinal) || !Identifiers.IsValid(text.AsSpan(Tag.Length)))
        {
            return false;
        }

        after = text[Tag.Length..];
        return true;
    }
}
