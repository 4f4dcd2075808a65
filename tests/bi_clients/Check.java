// The PostgreSQL JDBC driver, as Metabase, Tableau and DBeaver query: the dashboard's
// count(DISTINCT) with the setting off and on, sketches read back (getBytes, getString)
// and written as text (PGobject) and binary (setBytes) parameters, bad sketches refused
// with their SQLSTATE and the connection still usable. Run: java -cp postgresql.jar Check.java
import java.nio.file.*;
import java.sql.*;
import java.util.*;
import java.util.regex.*;
import org.postgresql.util.PGobject;

public class Check {
    static int passed = 0, failed = 0;

    static void check(String what, boolean ok) {
        if (ok) passed++; else failed++;
        System.out.println("  " + (ok ? "ok  " : "FAIL") + "  " + what);
    }

    static Map<String, Long> run(Connection c, String sql) throws SQLException {
        Map<String, Long> rows = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                StringBuilder key = new StringBuilder();
                for (int i = 1; i < n; i++) key.append(r.getString(i)).append('|');
                rows.put(key.toString(), r.getLong(n));
            }
        }
        return rows;
    }

    public static void main(String[] args) throws Exception {
        String spec = Files.readString(Path.of(System.getenv("BI_DIR"), "dashboard.json"));
        double rate = Double.parseDouble(field(spec, "error_rate"));
        double tolerance = Double.parseDouble(field(spec, "tolerance"));
        String url = "jdbc:postgresql://127.0.0.1:" + System.getenv("PGPORT") + "/" + System.getenv("PGDATABASE");
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            Matcher q = Pattern.compile("\"name\": \"([^\"]*)\",\\s*\"sql\": \"([^\"]*)\"").matcher(spec);
            while (q.find()) {
                String name = q.group(1), sql = q.group(2);
                c.createStatement().execute("SET hyperloglog.count_distinct_error_rate = 0");
                Map<String, Long> exact = run(c, sql);
                c.createStatement().execute("SET hyperloglog.count_distinct_error_rate = " + rate);
                Map<String, Long> approx = run(c, sql);
                StringBuilder plan = new StringBuilder();
                try (ResultSet r = c.createStatement().executeQuery("EXPLAIN VERBOSE " + sql)) {
                    while (r.next()) plan.append(r.getString(1)).append('\n');
                }
                double worst = exact.keySet().equals(approx.keySet()) ? 0 : 1;
                for (String k : exact.keySet())
                    if (approx.containsKey(k))
                        worst = Math.max(worst, Math.abs(approx.get(k) - exact.get(k)) / (double) exact.get(k));
                check(String.format("%s: %d rows, hll_count_distinct in the plan, worst error %.2f%%",
                        name, exact.size(), 100 * worst),
                        worst <= tolerance && plan.toString().contains("hll_count_distinct("));
            }

            List<byte[]> bytes = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            try (ResultSet r = c.createStatement().executeQuery(
                    "SELECT users::bytea, users FROM daily_users ORDER BY day, device")) {
                while (r.next()) { bytes.add(r.getBytes(1)); texts.add(r.getString(2)); }
            }
            boolean same = true;
            for (int i = 0; i < bytes.size(); i++)
                same &= texts.get(i).equals("\\x" + HexFormat.of().formatHex(bytes.get(i)));
            check(bytes.size() + " sketches read back: getBytes of users::bytea = getString of users", same);
            try (PreparedStatement text = c.prepareStatement("INSERT INTO inbox VALUES ('jdbc-text', ?, ?)");
                 PreparedStatement binary = c.prepareStatement("INSERT INTO inbox VALUES ('jdbc-binary', ?, ?::hll)")) {
                for (int i = 0; i < bytes.size(); i++) {
                    PGobject h = new PGobject();
                    h.setType("hll");
                    h.setValue(texts.get(i));
                    text.setInt(1, i); text.setObject(2, h); text.executeUpdate();
                    binary.setInt(1, i); binary.setBytes(2, bytes.get(i)); binary.executeUpdate();
                }
            }
            try (ResultSet r = c.createStatement().executeQuery(
                    "SELECT count(*) FROM inbox i JOIN (SELECT row_number() OVER (ORDER BY day, device) - 1 AS n, "
                    + "users FROM daily_users) d USING (n) WHERE i.client LIKE 'jdbc-%' AND i.users = d.users")) {
                r.next();
                check("written back as PGobject text and setBytes binary parameters: " + r.getLong(1)
                        + " of " + 2 * bytes.size() + " equal", r.getLong(1) == 2L * bytes.size());
            }

            String[][] bad = {{"corrupt bytes", "22P03"}, {"bad text", "22P02"}};
            for (String[] b : bad) {
                try (PreparedStatement p = c.prepareStatement(
                        b[0].equals("bad text") ? "SELECT ?::text::hll" : "SELECT ?::hll")) {
                    if (b[0].equals("bad text")) p.setString(1, "\\x99"); else p.setBytes(1, new byte[]{0x15, (byte) 0x8b, 0x7f});
                    p.executeQuery();
                    check(b[0] + " as a parameter is refused", false);
                } catch (SQLException e) {
                    check(b[0] + " as a parameter: " + e.getSQLState(), e.getSQLState().equals(b[1]));
                }
            }
            try (ResultSet r = c.createStatement().executeQuery("SELECT 1")) {
                r.next();
                check("the connection is still usable", r.getInt(1) == 1);
            }
        }
        System.out.println("jdbc: " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": ([0-9.]+)").matcher(json);
        if (!m.find()) throw new IllegalStateException("no " + name);
        return m.group(1);
    }
}
