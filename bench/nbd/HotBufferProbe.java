// Where a read reply's second copy costs twice what it should: one thread that preads 256 KiB into
// one buffer and writes it to a loopback socket at once ("hot"), against a reader thread filling 64
// rotating buffers and a writer thread sending them ("split", as `splitpoint serve` did before
// 2026-12-07). Prints wall time and the sending side's CPU time for a whole file.
//   java bench/nbd/HotBufferProbe.java FILE hot|split     (warm the file first: cat FILE >/dev/null)
// See bench/notes/nbd-hot-reads-2026-12-07.txt.
import java.nio.*; import java.nio.channels.*; import java.nio.file.*; import java.net.*; import java.lang.management.*; import java.util.concurrent.*;
public class HotBufferProbe {
  public static void main(String[] a) throws Exception {
    Path f = Path.of(a[0]); String mode = a[1]; int chunk = 256<<10;
    ServerSocketChannel ss = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    int port = ((InetSocketAddress) ss.getLocalAddress()).getPort();
    Thread rd = new Thread(() -> { try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
        ByteBuffer b = ByteBuffer.allocateDirect(1<<20); while (true) { b.clear(); if (c.read(b)<0) break; }
      } catch (Exception e) { e.printStackTrace(); } });
    rd.start();
    SocketChannel s = ss.accept(); s.setOption(StandardSocketOptions.TCP_NODELAY, true);
    FileChannel fc = FileChannel.open(f, StandardOpenOption.READ);
    long size = fc.size(); ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long t0 = System.nanoTime();
    long[] cpu = new long[2];
    if (mode.equals("hot")) {
      long c0 = mx.getCurrentThreadCpuTime();
      ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
      for (long p = 0; p < size; p += chunk) { buf.clear(); while (buf.hasRemaining()) fc.read(buf, p + buf.position()); buf.flip(); ByteBuffer h = ByteBuffer.allocate(16); h.putLong(p).putLong(p).flip(); s.write(new ByteBuffer[]{h, buf}); }
      cpu[0] = mx.getCurrentThreadCpuTime() - c0;
    } else {
      int N = 64; ArrayBlockingQueue<ByteBuffer> freeQ = new ArrayBlockingQueue<>(N), full = new ArrayBlockingQueue<>(N);
      for (int i = 0; i < N; i++) freeQ.add(ByteBuffer.allocateDirect(chunk));
      Thread w = new Thread(() -> { long c0 = mx.getCurrentThreadCpuTime(); try { for (long p = 0; p < size; p += chunk) { ByteBuffer b = full.take(); ByteBuffer h = ByteBuffer.allocate(16); h.putLong(p).putLong(p).flip(); s.write(new ByteBuffer[]{h, b}); b.clear(); freeQ.add(b);} } catch (Exception e) { e.printStackTrace(); } cpu[1] = mx.getCurrentThreadCpuTime() - c0; });
      w.start();
      long c0 = mx.getCurrentThreadCpuTime();
      for (long p = 0; p < size; p += chunk) { ByteBuffer buf = freeQ.take(); while (buf.hasRemaining()) fc.read(buf, p + buf.position()); buf.flip(); full.add(buf); }
      cpu[0] = mx.getCurrentThreadCpuTime() - c0; w.join();
    }
    s.close(); rd.join();
    System.out.printf("%s wall %.3f s, cpu %.3f s (reader %.3f writer %.3f)%n", mode, (System.nanoTime()-t0)/1e9, (cpu[0]+cpu[1])/1e9, cpu[0]/1e9, cpu[1]/1e9);
  }
}
