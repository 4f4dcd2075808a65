// Drives hash4j's UltraLogLog (the reference implementation, Apache-2.0) for
// core/tests/ull_hash4j.rs, which compiles this file against the vendored hash4j source.
//
// The oracle is deliberately a thin, stateless shell around hash4j's public API: every
// convention mapping (bit-reversed hashes, bit-reversed register indexes) is done on the
// Rust side, so what this program returns is exactly what hash4j computes.
//
// Protocol on stdin/stdout, big-endian (Java's DataInput/DataOutput), one request then
// one reply, until end of input:
//   'B' int p, int n, n x long hash : a sketch created at p, add(hash) for each hash
//   'M' state a, state b            : UltraLogLog.merge(wrap(a), wrap(b))
//   'D' int q, state s              : wrap(s).downsize(q)
//   'E' state s                     : wrap(s) as it is
// where a state is an int length followed by that many register bytes (getState()).
// Every reply is the resulting state followed by two doubles: the estimates of the
// optimal FGRA and the maximum-likelihood estimators.
// An unknown request or any exception ends the program with a stack trace on stderr and
// a non-zero exit status, which the Rust side reports as a lost oracle.

import com.dynatrace.hash4j.distinctcount.UltraLogLog;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

public final class UllOracle {
  private UllOracle() {}

  private static UltraLogLog readState(DataInputStream in) throws IOException {
    byte[] state = new byte[in.readInt()];
    in.readFully(state);
    return UltraLogLog.wrap(state);
  }

  public static void main(String[] args) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(System.out, 1 << 16));
    while (true) {
      int op = in.read();
      if (op < 0) {
        return;
      }
      UltraLogLog result;
      switch (op) {
        case 'B':
          {
            int p = in.readInt();
            int n = in.readInt();
            result = UltraLogLog.create(p);
            for (int i = 0; i < n; ++i) {
              result.add(in.readLong());
            }
            break;
          }
        case 'M':
          {
            UltraLogLog a = readState(in);
            UltraLogLog b = readState(in);
            result = UltraLogLog.merge(a, b);
            break;
          }
        case 'D':
          {
            int q = in.readInt();
            result = readState(in).downsize(q);
            break;
          }
        case 'E':
          result = readState(in);
          break;
        default:
          throw new IllegalStateException("unknown request byte " + op);
      }
      byte[] state = result.getState();
      out.writeInt(state.length);
      out.write(state);
      out.writeDouble(result.getDistinctCountEstimate(UltraLogLog.OPTIMAL_FGRA_ESTIMATOR));
      out.writeDouble(result.getDistinctCountEstimate(UltraLogLog.MAXIMUM_LIKELIHOOD_ESTIMATOR));
      out.flush();
    }
  }
}
