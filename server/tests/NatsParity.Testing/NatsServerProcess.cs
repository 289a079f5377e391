using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace NatsParity.Testing;

/// <summary>
/// A target server running as a child process on free loopback ports with a generated conf file.
/// The one launcher for tests, console and benchmarks. Disposing stops the process and removes its temp dir.
/// </summary>
public sealed class NatsServerProcess : IAsyncDisposable, IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(3);
    private const int LogCapacity = 2000;
    private static readonly HttpClient MonitorHttp = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly Process _process;
    private readonly Queue<string> _log = new();
    private int _reloads;
    private int _disposed;

    private NatsServerProcess(ServerTarget target, Process process, string tempDir, string confPath, int port, int? monitorPort)
    {
        Target = target;
        _process = process;
        TempDir = tempDir;
        ConfPath = confPath;
        Port = port;
        MonitorPort = monitorPort;
    }

    public ServerTarget Target { get; }
    public string Host => "127.0.0.1";
    public int Port { get; }
    public string Url => $"nats://{Host}:{Port}";

    /// <summary>The HTTP monitoring port when <see cref="ServerConfig.Monitoring"/> was set.</summary>
    public int? MonitorPort { get; }

    public string MonitorUrl => MonitorPort is { } mp
        ? $"http://{Host}:{mp}"
        : throw new InvalidOperationException("The server was started without ServerConfig.Monitoring.");

    /// <summary>GETs a monitoring endpoint (e.g. "/varz", "/routez") and returns its JSON.</summary>
    public async Task<JsonElement> GetMonitorJsonAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await MonitorHttp.GetAsync(MonitorUrl + path, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        return doc.RootElement.Clone();
    }

    public int Pid => _process.Id;
    public string TempDir { get; }
    public string ConfPath { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the server wrote to stdout and stderr.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return string.Join('\n', _log);
        }
    }

    /// <summary>
    /// Starts <paramref name="target"/> with <c>-c conf -a 127.0.0.1 -p PORT</c> plus <paramref name="extraArgs"/>
    /// and returns once a client connection receives INFO. A failure caused by a port race is retried once.
    /// </summary>
    public static NatsServerProcess Start(ServerTarget target, ServerConfig? config = null, params string[] extraArgs)
    {
        var binary = ServerTargets.ResolveBinary(target);
        config ??= new ServerConfig();
        try
        {
            return StartOnce(target, binary, config, extraArgs);
        }
        catch (ServerStartException ex) when (ex.PortInUse)
        {
            return StartOnce(target, binary, config, extraArgs);
        }
    }

    /// <summary>
    /// Runs <paramref name="target"/> with <paramref name="args"/> in <paramref name="workDir"/> and waits for it to exit
    /// (at most <paramref name="timeout"/>, then it is killed and the exit code is -1): how a server refuses bad input.
    /// </summary>
    public static (int ExitCode, string Stdout, string Stderr) RunToExit(ServerTarget target, string workDir, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(ServerTargets.ResolveBinary(target))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (-1, stdout.Result, stderr.Result);
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts <paramref name="target"/> on a given client port, e.g. to restart a server where clients expect it.</summary>
    public static NatsServerProcess StartOnPort(ServerTarget target, int port, ServerConfig? config = null, params string[] extraArgs) =>
        StartOnce(target, ServerTargets.ResolveBinary(target), config ?? new ServerConfig(), extraArgs, port);

    /// <summary>Picks a free loopback TCP port by binding port 0 and releasing it.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static NatsServerProcess StartOnce(ServerTarget target, string binary, ServerConfig config, string[] extraArgs, int? fixedPort = null)
    {
        var port = fixedPort ?? FreePort();
        int? monitorPort = config.Monitoring ? FreePort() : null;
        var tempDir = Directory.CreateTempSubdirectory("natsparity-").FullName;
        var confPath = Path.Combine(tempDir, "server.conf");
        var tlsFiles = config.Tls ? WriteSelfSignedCertificate(tempDir) : ((string, string)?)null;
        File.WriteAllText(confPath, config.Render(monitorPort, tlsFiles));

        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = tempDir,
        };
        // The ports file appears only once this process has bound its listeners, so readiness can never be
        // mistaken for another server that happened to take the same free port first.
        var portsDir = Directory.CreateDirectory(Path.Combine(tempDir, "ports")).FullName;
        foreach (var arg in (string[])["-c", confPath, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ports_file_dir", portsDir])
            psi.ArgumentList.Add(arg);
        foreach (var arg in extraArgs)
            psi.ArgumentList.Add(arg);

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        NatsServerProcess? server = null;
        try
        {
            process.Start();
            server = new NatsServerProcess(target, process, tempDir, confPath, port, monitorPort);
            process.OutputDataReceived += (_, e) => server.AppendLog(e.Data);
            process.ErrorDataReceived += (_, e) => server.AppendLog(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            server.WaitReady();
            return server;
        }
        catch (Exception ex)
        {
            var log = server?.Log ?? "";
            if (server is not null)
                server.Dispose();
            else
            {
                process.Dispose();
                TryDeleteDirectory(tempDir);
            }
            if (ex is ServerStartException)
                throw;
            throw new ServerStartException(target, port, $"{ex.GetType().Name}: {ex.Message}", log, portInUse: false, ex);
        }
    }

    /// <summary>A throwaway certificate for localhost/127.0.0.1; clients in tests accept any server certificate.</summary>
    private static (string CertFile, string KeyFile) WriteSelfSignedCertificate(string dir)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certFile = Path.Combine(dir, "server-cert.pem");
        var keyFile = Path.Combine(dir, "server-key.pem");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    private void WaitReady()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        string lastError = "no attempt";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                // Let the async readers drain the last lines before reporting.
                _process.WaitForExit();
                var log = Log;
                throw new ServerStartException(Target, Port, $"process exited with code {_process.ExitCode}", log,
                    portInUse: log.Contains("address already in use", StringComparison.OrdinalIgnoreCase));
            }
            if (!PortsFileWritten())
            {
                lastError = "no ports file yet";
                Thread.Sleep(25);
                continue;
            }
            try
            {
                using var probe = ProtoClient.Connect(Host, Port, readInfo: true, timeout: TimeSpan.FromMilliseconds(500));
                return;
            }
            catch (Exception ex) when (ex is SocketException or IOException or ProtoException)
            {
                lastError = ex.Message;
                Thread.Sleep(25);
            }
        }
        throw new ServerStartException(Target, Port, $"no INFO within {StartTimeout.TotalSeconds}s (last error: {lastError})", Log, portInUse: false);
    }

    private bool PortsFileWritten()
    {
        var dir = Path.Combine(TempDir, "ports");
        return Directory.Exists(dir) && Directory.EnumerateFiles(dir, $"*_{_process.Id}.ports").Any();
    }

    private void AppendLog(string? line)
    {
        if (line is null)
            return;
        lock (_log)
        {
            _log.Enqueue(line);
            if (line.Contains("Reloaded server configuration", StringComparison.Ordinal)) _reloads++;
            while (_log.Count > LogCapacity)
                _log.Dequeue();
        }
    }

    /// <summary>SIGHUP, as an operator reloads: returns once the server logged that it reloaded (both servers log
    /// "Reloaded server configuration"), or throws when it did not within 10s.</summary>
    public void Reload()
    {
        int before;
        lock (_log) before = _reloads;
        if (SendSignal(_process.Id, Sighup) != 0) throw new InvalidOperationException($"could not signal {this}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            lock (_log)
                if (_reloads > before) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{this} did not reload:\n{Log}");
            Thread.Sleep(10);
        }
    }

    /// <summary>Sends the server a POSIX signal (e.g. 2 for SIGINT, 10 for SIGUSR1), as an operator's kill does.</summary>
    public void Signal(int signum)
    {
        if (SendSignal(_process.Id, signum) != 0) throw new InvalidOperationException($"could not send signal {signum} to {this}");
    }

    /// <summary>Waits for the server to exit by itself: its exit code, or null while it still runs after <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return null;
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public override string ToString() => $"{Target} pid {(_process.HasExited ? "exited" : _process.Id)} at {Url}";

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            Stop();
        }
        finally
        {
            _process.Dispose();
            TryDeleteDirectory(TempDir);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Stop()
    {
        try
        {
            if (_process.HasExited)
                return;
            if (OperatingSystem.IsWindows() || SendSignal(_process.Id, Sigterm) != 0 || !_process.WaitForExit(StopGrace))
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // The process was already gone.
        }
    }

    private static void TryDeleteDirectory(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private const int Sigterm = 15;
    private const int Sighup = 1;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}

/// <summary>A target server did not come up; carries the server's captured log.</summary>
public sealed class ServerStartException(ServerTarget target, int port, string reason, string log, bool portInUse, Exception? inner = null)
    : Exception($"{target} server on 127.0.0.1:{port} failed to start: {reason}\n--- server log ---\n{log}", inner)
{
    public bool PortInUse { get; } = portInUse;
}
