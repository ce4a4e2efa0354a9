using System.Text.Json;

// Usage: DecisionApi.Floor --urls http://127.0.0.1:5190 --evaluation-body eval.json --card-body card.json
// Each POST reads and parses the whole request body as JSON (as the real service must) and writes the captured bytes.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var evaluationBody = File.ReadAllBytes(app.Configuration["evaluation-body"] ?? throw new InvalidOperationException("--evaluation-body is required"));
var cardBody = File.ReadAllBytes(app.Configuration["card-body"] ?? throw new InvalidOperationException("--card-body is required"));

app.MapGet("/health/ready", () => "Healthy");
app.MapPost("/v1/evaluations", (HttpContext context) => Answer(context, evaluationBody));
app.MapPost("/cds-services/{id}", (HttpContext context) => Answer(context, cardBody));
app.Run();

static async Task Answer(HttpContext context, byte[] body)
{
    using (await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))
    {
    }

    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = body.Length;
    await context.Response.Body.WriteAsync(body, context.RequestAborted);
}
