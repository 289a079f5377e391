using System.Buffers;
using System.Collections.Concurrent;

namespace NatsParity.Server.Clients;

/// <summary>The pool behind every connection's outbound queue. Chunks are filled on the publisher's thread and given
/// back on the receiver's writer, so the shared array pool's per-thread and per-core caches miss under fan-in and
/// each miss allocated a fresh 32 KiB array that then lived through collections while queued. These chunks come from
/// the pinned heap (never moved by the collector) and are recycled through one lock-free queue, up to a bound.</summary>
internal static class OutboundChunks
{
    public const int Size = 32 * 1024;

    /// <summary>Chunks kept for reuse (8 MiB); a burst beyond this is returned to the collector.</summary>
    private const int MaxRetained = 256;

    private static readonly ConcurrentQueue<byte[]> s_free = new();
    private static int s_retained;

    /// <summary>A chunk of <see cref="Size"/> bytes, or a shared-pool array for a single write larger than that.</summary>
    public static byte[] Rent(int minLength)
    {
        if (minLength > Size) return ArrayPool<byte>.Shared.Rent(minLength);
        if (s_free.TryDequeue(out var chunk))
        {
            Interlocked.Decrement(ref s_retained);
            return chunk;
        }
        return GC.AllocateUninitializedArray<byte>(Size, pinned: true);
    }

    public static void Return(byte[] chunk)
    {
        if (chunk.Length != Size)
        {
            ArrayPool<byte>.Shared.Return(chunk);
            return;
        }
        if (Interlocked.Increment(ref s_retained) <= MaxRetained) s_free.Enqueue(chunk);
        else Interlocked.Decrement(ref s_retained);
    }
}
