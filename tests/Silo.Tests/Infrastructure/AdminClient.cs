using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>Calls a silo's admin HTTP API.</summary>
internal sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;

    public AdminClient(SiloProcess silo, string? token = null)
    {
        _http = new HttpClient { BaseAddress = silo.AdminUri, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task<(HttpStatusCode Status, string Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<(HttpStatusCode Status, string Body)> CreateAsync(string name, string password) =>
        SendAsync(HttpMethod.Post, "/tenants", JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = name, ["password"] = password }));

    public Task<(HttpStatusCode Status, string Body)> DropAsync(string name) => SendAsync(HttpMethod.Delete, "/tenants/" + name);

    /// <summary>Creates a tenant and fails the test unless the API answered 201.</summary>
    public async Task CreateOrFailAsync(string name, string password)
    {
        var (status, body) = await CreateAsync(name, password);
        if (status != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /tenants {name} answered {(int)status}: {body}");
        }
    }

    public void Dispose() => _http.Dispose();
}
