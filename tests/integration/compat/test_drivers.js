// Issue 16, differential with Node.js drivers (npm `mariadb` and `mysql2`): every check runs
// once directly against slice-0's MariaDB primary (account tessera) and once through Tessera
// (user app), and the results must be identical. Accepted difference: Tessera appends
// "-Tessera" to the server version it presents.
//
//   identity   serverVersion(), info.isMariaDB(), the parsed version, MariaDB's extended
//              capabilities as the connector sees them (mariadb); the handshake version (mysql2)
//   json       a JSON column comes back parsed (mariadb: by MariaDB's extended type info "json")
//              in text and binary protocol; mysql2 sees the same text
//   pipelined  the mariadb connector's execute() sends PREPARE and EXECUTE(-1) back to back,
//              with parameters, errors, and a statement prepared earlier
'use strict';
const assert = require('node:assert/strict');
const mariadb = require('mariadb');
const mysql = require('mysql2/promise');

const env = process.env;
const HOST = env.TESSERA_IT_HOST || '127.0.0.1';
const BASE_PORT = Number(env.TESSERA_IT_BASE_PORT || 24306);
const PROXY_PORT = Number(env.TESSERA_IT_PORT || 14306);
const PROXY = (env.TESSERA_IT_MODE || 'proxy') === 'proxy';
const SUFFIX = '-Tessera';

const targets = { direct: { host: HOST, port: BASE_PORT, user: 'tessera', password: 'tessera' } };
if (PROXY) targets.tessera = { host: HOST, port: PROXY_PORT, user: 'app', password: 'app_pw' };

const strip = (v) => (v.endsWith(SUFFIX) ? v.slice(0, -SUFFIX.length) : v);

async function everywhere(driver, check) {
  const out = {};
  for (const [name, t] of Object.entries(targets)) {
    const conn =
      driver === 'mariadb'
        ? await mariadb.createConnection({ ...t, database: 'demo', connectTimeout: 10000 })
        : await mysql.createConnection({ ...t, database: 'demo', connectTimeout: 10000 });
    try {
      out[name] = await check(conn);
    } finally {
      await conn.end();
    }
  }
  return out;
}

function same(what, results) {
  console.log(what, JSON.stringify(results, (k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  const values = Object.values(results);
  for (const v of values.slice(1)) assert.deepStrictEqual(v, values[0], what);
}

async function errorOf(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { errno: e.errno, sqlState: e.sqlState };
  }
}

const checks = {
  async mariadb_identity() {
    same(
      'mariadb identity',
      await everywhere('mariadb', async (c) => {
        const v = c.info.serverVersion;
        return {
          version: strip(c.serverVersion()),
          mariaDb: c.info.isMariaDB(),
          parsed: [v.major, v.minor, v.patch],
          // MARIADB_CLIENT_EXTENDED_TYPE_INFO (bit 35) as negotiated by the connector
          extendedTypeInfo: (BigInt(c.info.clientCapabilities ?? 0) & (1n << 35n)) !== 0n,
        };
      })
    );
  },

  async mysql2_identity() {
    same(
      'mysql2 identity',
      await everywhere('mysql2', async (c) => ({
        version: strip(c.connection._handshakePacket.serverVersion),
      }))
    );
  },

  async json() {
    const setup = await mariadb.createConnection({ ...targets.direct, database: 'demo' });
    await setup.query('DROP TABLE IF EXISTS compat_json_js');
    await setup.query('CREATE TABLE compat_json_js (id INT PRIMARY KEY, j JSON, u UUID, i INET6)');
    await setup.query(
      `INSERT INTO compat_json_js VALUES (1, '{"a": 1, "b": [1, 2]}', ` +
        `'123e4567-e89b-12d3-a456-426655440000', '::1')`
    );
    await setup.end();
    const sql = 'SELECT id, j, u, i FROM compat_json_js ORDER BY id';
    same(
      'mariadb json',
      await everywhere('mariadb', async (c) => {
        const text = await c.query(sql);
        const binary = await c.execute(sql);
        // MariaDB's extended type info as the connector decoded it: type name, format json
        const meta = text.meta.map((m) => [
          m.name(),
          m.type,
          m.columnType,
          m.dataTypeName ?? null,
          m.isDataTypeFormatJson(),
        ]);
        return { text: [...text], binary: [...binary], textJsonParsed: typeof text[0].j, meta };
      })
    );
    same(
      'mysql2 json',
      await everywhere('mysql2', async (c) => {
        const [text] = await c.query(sql);
        const [binary] = await c.execute(sql);
        return { text, binary };
      })
    );
  },

  async pipelined() {
    same(
      'mariadb pipelined execute',
      await everywhere('mariadb', async (c) => {
        const out = {};
        out.params = [...(await c.execute('SELECT ? AS x, ? AS y', [5, 'five']))];
        out.again = [...(await c.execute('SELECT ? AS x, ? AS y', [6, 'six']))];
        out.error = await errorOf(c.execute('SELECT no_such_column FROM compat_none'));
        out.afterError = [...(await c.execute('SELECT 1 AS one'))];
        const stmt = await c.prepare('SELECT ? + 1 AS n');
        out.prepared = [...(await stmt.execute([41]))];
        out.interleaved = [...(await c.execute('SELECT 2 AS two'))];
        out.preparedAgain = [...(await stmt.execute([1]))];
        stmt.close();
        out.batch = [];
        for (let i = 0; i < 20; i++) out.batch.push(c.execute('SELECT ? AS i', [i]));
        out.batch = (await Promise.all(out.batch)).map((r) => r[0].i);
        return out;
      })
    );
  },

  // Result sets Tessera builds itself must carry the extended type info field too, for a
  // client that negotiated it (no server to compare with: Tessera only).
  async tessera_own_results() {
    if (!PROXY) return;
    for (const driver of ['mariadb', 'mysql2']) {
      const t = targets.tessera;
      const c =
        driver === 'mariadb'
          ? await mariadb.createConnection({ ...t, database: 'demo' })
          : await mysql.createConnection({ ...t, database: 'demo' });
      try {
        const rows =
          driver === 'mariadb'
            ? await c.query('SHOW TESSERA TOPOLOGY')
            : (await c.query('SHOW TESSERA TOPOLOGY'))[0];
        assert.ok(rows.length > 0, `${driver}: SHOW TESSERA TOPOLOGY rows`);
        const level =
          driver === 'mariadb'
            ? await c.query('SELECT @@tessera_read_consistency')
            : (await c.query('SELECT @@tessera_read_consistency'))[0];
        assert.equal(typeof Object.values(level[0])[0], 'string', driver);
        console.log(driver, 'own results', rows.length, 'topology rows', JSON.stringify(level));
      } finally {
        await c.end();
      }
    }
  },
};

(async () => {
  const only = process.argv.slice(2);
  let failed = 0;
  for (const [name, check] of Object.entries(checks)) {
    if (only.length && !only.includes(name)) continue;
    try {
      await check();
      console.log(`ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.stack || e}`);
    }
  }
  console.log(failed ? `${failed} check(s) failed` : 'all checks passed');
  process.exit(failed ? 1 : 0);
})();
