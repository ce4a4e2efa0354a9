# syntax=docker/dockerfile:1
# Build: docker build -t decision-api .      Run: docker run -p 8080:8080 decision-api
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Docker sets TARGETARCH (amd64, arm64); the service is compiled ahead of time (ReadyToRun) for it: start-up to ready
# drops by about a quarter (docs/performance.md).
ARG TARGETARCH
WORKDIR /src

# Restore as its own layer: only the build settings and project files. The restore names the same properties as the
# publish below (ReadyToRun): without them the runtime and crossgen packs that ReadyToRun needs are not restored, and the
# publish fails with NETSDK1112 on an empty package cache.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/DecisionApi/DecisionApi.csproj src/DecisionApi/
COPY src/DecisionApi.RuleStore/DecisionApi.RuleStore.csproj src/DecisionApi.RuleStore/
COPY src/DecisionApi.StoreCompiler/DecisionApi.StoreCompiler.csproj src/DecisionApi.StoreCompiler/
RUN dotnet restore src/DecisionApi/DecisionApi.csproj -a $TARGETARCH -p:PublishReadyToRun=true

# The publish compiles the curated content in src/rule-store into rules/decision-rules.db inside /app, and embeds the
# OpenAPI document's examples from docs/examples.
COPY docs/examples/ docs/examples/
COPY src/ src/
RUN dotnet publish src/DecisionApi/DecisionApi.csproj -c Release -a $TARGETARCH --self-contained false -p:PublishReadyToRun=true -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production
EXPOSE 8080
# Non-root user that the .NET base images provide.
USER $APP_UID
ENTRYPOINT ["dotnet", "DecisionApi.dll"]
