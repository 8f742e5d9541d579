using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Bot.Testing.FakeDiscord;

/// <summary>A request body: JSON, or multipart with <c>payload_json</c> and <c>files[n]</c> parts.</summary>
internal sealed class RequestBody
{
    public JsonNode? Json { get; private init; }
    public List<(int Index, string FileName, byte[] Data)> Files { get; } = [];

    /// <summary>Set when Discord would reject the request before looking at the fields.</summary>
    public string? Problem { get; private set; }

    public static async Task<RequestBody> ReadAsync(HttpRequest request)
    {
        var contentType = request.ContentType ?? string.Empty;
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (!hasBody)
        {
            return new RequestBody();
        }
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var node = await JsonNode.ParseAsync(request.Body).ConfigureAwait(false);
                return new RequestBody { Json = node };
            }
            catch (JsonException ex)
            {
                return new RequestBody { Problem = $"body is not valid JSON: {ex.Message}" };
            }
        }
        if (contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadMultipartAsync(request).ConfigureAwait(false);
        }
        return new RequestBody { Problem = $"Content-Type '{contentType}' is not json, form-urlencoded or multipart" };
    }

    private static async Task<RequestBody> ReadMultipartAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync().ConfigureAwait(false);
        JsonNode? json = null;
        string? problem = null;
        if (form.TryGetValue("payload_json", out var payload))
        {
            try
            {
                json = JsonNode.Parse(payload.ToString());
            }
            catch (JsonException ex)
            {
                problem = $"payload_json is not valid JSON: {ex.Message}";
            }
        }
        var body = new RequestBody { Json = json, Problem = problem };
        foreach (var file in form.Files)
        {
            if (!file.Name.StartsWith("files[", StringComparison.Ordinal) || !int.TryParse(file.Name.AsSpan(6, file.Name.Length - 7), out var index))
            {
                body.Problem ??= $"multipart part '{file.Name}' is not named files[n]";
                continue;
            }
            if (string.IsNullOrEmpty(file.FileName))
            {
                body.Problem ??= $"part {file.Name} has no filename";
            }
            using var stream = new MemoryStream();
            await file.CopyToAsync(stream).ConfigureAwait(false);
            body.Files.Add((index, file.FileName, stream.ToArray()));
        }
        if (body.Files.Count > 10)
        {
            body.Problem ??= $"{body.Files.Count} files; the limit is 10";
        }
        var listed = (json?["attachments"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(a => a["id"]?.ToString()).ToHashSet();
        foreach (var (index, _, _) in body.Files)
        {
            if (!listed.Contains(index.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                body.Problem ??= $"files[{index}] has no matching attachments[].id {index} in payload_json";
            }
        }
        return body;
    }
}
