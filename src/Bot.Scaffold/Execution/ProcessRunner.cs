using System.Diagnostics;
using System.Text;
using Bot.Core.Ports;

namespace Bot.Scaffold.Execution;

/// <summary>
/// Runs one child process with closed stdin, capped stdout/stderr (the rest is drained and dropped so
/// the child never blocks on a full pipe), a time limit, and a kill of the whole process tree on
/// timeout or cancellation.
/// </summary>
internal static class ProcessRunner
{
    // After the child exits its pipes normally close at once; a grandchild that escaped the kill may
    // hold them open, and waiting forever for it would hang the step.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    public static async Task<ExecutionResult> RunAsync(
        ProcessStartInfo startInfo,
        TimeSpan timeLimit,
        int outputLimitBytes,
        TimeProvider time,
        Action<Process>? afterExit,
        CancellationToken cancellationToken)
    {
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;

        using var process = new Process { StartInfo = startInfo };
        var started = time.GetTimestamp();
        await ProcessLauncher.StartAsync(process).ConfigureAwait(false);
        process.StandardInput.Close();

        var stdout = new CappedBuffer(outputLimitBytes);
        var stderr = new CappedBuffer(outputLimitBytes);
        var readOut = stdout.DrainAsync(process.StandardOutput.BaseStream);
        var readErr = stderr.DrainAsync(process.StandardError.BaseStream);

        using var timeout = new CancellationTokenSource(timeLimit, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            afterExit?.Invoke(process);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }
        if (!timedOut)
        {
            afterExit?.Invoke(process);
        }

        await Task.WhenAny(Task.WhenAll(readOut, readErr), Task.Delay(DrainGrace, time)).ConfigureAwait(false);
        var duration = time.GetElapsedTime(started);
        return new ExecutionResult(
            stdout.ToText(),
            stderr.ToText(),
            process.ExitCode,
            duration,
            timedOut,
            stdout.Truncated || stderr.Truncated);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited between the timeout and the kill.
        }
    }

    private sealed class CappedBuffer(int limit)
    {
        /// <summary>Length of <paramref name="bytes"/> without a multi-byte sequence cut short at its end.</summary>
        internal static int CompleteUtf8Length(ReadOnlySpan<byte> bytes)
        {
            // A UTF-8 sequence is at most 4 bytes: look back at most 3 for its lead byte.
            for (var back = 1; back <= Math.Min(4, bytes.Length); back++)
            {
                var b = bytes[^back];
                if ((b & 0xC0) == 0x80) continue;          // continuation byte
                var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return needed > back ? bytes.Length - back : bytes.Length;
            }
            return bytes.Length;
        }

        private readonly MemoryStream _kept = new();
        public bool Truncated { get; private set; }

        public async Task DrainAsync(Stream source)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    lock (_kept)
                    {
                        var room = limit - (int)_kept.Length;
                        if (room > 0)
                        {
                            _kept.Write(buffer, 0, Math.Min(room, read));
                        }
                        if (read > room)
                        {
                            Truncated = true;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The pipe went away with the killed process; what was read is kept.
            }
        }

        public string ToText()
        {
            lock (_kept)
            {
                var bytes = _kept.GetBuffer().AsSpan(0, (int)_kept.Length);
                // The byte cap can fall inside a UTF-8 sequence; drop the partial character rather than decode it to U+FFFD.
                if (Truncated) bytes = bytes[..CompleteUtf8Length(bytes)];
                return Encoding.UTF8.GetString(bytes);
            }
        }
    }
}
