using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Bot.Data.Postgres;

// Password authentication for the private cluster: generated at initdb, kept owner-only beside
// the data folder, and added to clusters that older versions created with trust authentication.
public sealed partial class LocalPostgres
{
    private const string HbaContent = """
        # Written by the bot (LocalPostgres): the server listens on 127.0.0.1 only, where every local
        # account can reach it, so every connection must present the superuser's password.
        local   all   all                  scram-sha-256
        host    all   all   127.0.0.1/32   scram-sha-256
        host    all   all   ::1/128        scram-sha-256

        """;

    private static string NewPassword() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    private static async Task InitDbAsync(string bin, string dataDir, string password, bool durable, bool asRoot, CancellationToken cancellationToken)
    {
        // initdb reads the password from a file; it runs as postgres, so the file is handed to that account briefly.
        var parent = Path.GetDirectoryName(dataDir) ?? dataDir;
        var pwfile = Path.Combine(parent, $".initdb-pw-{Guid.NewGuid():N}");
        try
        {
            WriteSecret(pwfile, password, atomically: false);
            if (asRoot) await RunAsync("chown", [$"{SuperUser}:{SuperUser}", pwfile], null, cancellationToken);
            List<string> args = ["-D", dataDir, "-U", SuperUser, "--auth=scram-sha-256", $"--pwfile={pwfile}", "-E", "UTF8", "--locale=C"];
            if (!durable) args.Add("--no-sync");
            await RunToolAsync(bin, "initdb", args, asRoot, dataDir, cancellationToken);
        }
        finally
        {
            File.Delete(pwfile);
        }
    }

    /// <summary>
    /// Makes sure the running server wants the password: gives a cluster made with trust
    /// authentication a password (over its still-trusting connection, once), and rewrites
    /// pg_hba.conf when any rule accepts a connection without one. Returns the password.
    /// </summary>
    private static async Task<string> SecureAsync(string bin, string dataDir, int port, string? password, bool asRoot, ILogger logger,
        CancellationToken cancellationToken)
    {
        var passwordFile = PasswordFileFor(dataDir);
        if (password is null)
        {
            logger.LogWarning("The PostgreSQL cluster in {DataDirectory} uses trust authentication (made by an older version); giving it a password, kept in {PasswordFile}",
                dataDir, passwordFile);
            password = NewPassword();
            var trusting = $"Host=127.0.0.1;Port={port};Username={SuperUser};Database=postgres;Pooling=false;Timeout=30";
            try
            {
                await using var connection = new NpgsqlConnection(trusting);
                await connection.OpenAsync(cancellationToken);
                // The password is hex: nothing in it needs quoting. Hashed (SCRAM) by the server before it is stored.
                await using var alter = new NpgsqlCommand($"SET password_encryption = 'scram-sha-256'; ALTER ROLE {SuperUser} PASSWORD '{password}'", connection);
                await alter.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL cluster in {dataDir} requires a password, but {passwordFile} is missing. Restore that file, or move the data folder away to start a new cluster.", ex);
            }
            WriteSecret(passwordFile, password);
        }

        var hba = Path.Combine(dataDir, "pg_hba.conf");
        if (!OnlyPasswordRules(await File.ReadAllTextAsync(hba, cancellationToken)))
        {
            // Overwritten in place, so the file keeps its owner (postgres) and mode.
            await File.WriteAllTextAsync(hba, HbaContent, cancellationToken);
            await RunToolAsync(bin, "pg_ctl", ["-D", dataDir, "reload"], asRoot, dataDir, cancellationToken);
            logger.LogWarning("Rewrote {HbaFile}: connections to the private cluster now need the password", hba);
        }
        return password;
    }

    /// <summary>True when every active rule of a pg_hba.conf asks for a SCRAM password (or rejects).</summary>
    public static bool OnlyPasswordRules(string hbaConf) =>
        hbaConf.Split('\n')
            .Select(line => line.Split('#', 2)[0].Trim())
            .Where(line => line.Length > 0)
            .All(line => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) is var fields
                && (fields.Contains("scram-sha-256", StringComparer.Ordinal) || fields.Contains("reject", StringComparer.Ordinal)));

    /// <summary>Writes a secret readable and writable by its owner only (0600) from the moment it exists.</summary>
    private static void WriteSecret(string path, string secret, bool atomically = true)
    {
        var target = atomically ? path + ".tmp" : path;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(target, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(secret);
        // An existing file keeps its mode on truncation: make sure.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (atomically) File.Move(target, path, overwrite: true);
    }

    private static Task StartServerAsync(string bin, string dataDir, string serverOptions, bool asRoot, CancellationToken cancellationToken) =>
        RunToolAsync(bin, "pg_ctl", ["-D", dataDir, "-l", Path.Combine(dataDir, "server.log"), "-w", "-t", "60", "-o", serverOptions, "start"],
            asRoot, dataDir, cancellationToken);

    // An adopted server was started by another process; its options are only known to pg_ctl (postmaster.opts).
    private static string ReadServerOptions(string dataDir) => "";
}
