// Helper of test_backend_accounts.py (issue 16 item 9): the npm `mariadb` and `mysql2` drivers
// log in as server accounts and change between them (changeUser), against one target
// (host, port from argv). Prints one JSON object of everything they saw; the Python test runs
// it once directly against MariaDB and once through Tessera and compares the two.
'use strict';
const mariadb = require('mariadb');
const mysql = require('mysql2/promise');

const [host, port] = [process.argv[2], Number(process.argv[3])];
// A database each account may use: the mariadb connector's changeUser keeps one.
const NATIVE = { user: 'ba_native', password: 'native_pw', database: 'ba_db' };
const LIMITED = { user: 'ba_limited', password: 'limited_pw', database: 'ba_db' };
const ED = { user: 'ba_ed', password: 'ed_pw', database: 'ba_db' };

const err = (e) => ({ errno: e.errno, sqlState: e.sqlState, message: e.sqlMessage || e.text });

async function rows(conn, sql) {
  try {
    let r = await conn.query(sql);
    if (Array.isArray(r) && r.length === 2 && !Array.isArray(r[0]) && r[0] && 'affectedRows' in r[0]) {
      r = r[0]; // mysql2: [ResultSetHeader, undefined]
    } else if (Array.isArray(r) && Array.isArray(r[0])) {
      r = r[0]; // mysql2: [rows, fields]
    }
    if (!Array.isArray(r)) return { affectedRows: Number(r.affectedRows) };
    return JSON.parse(JSON.stringify(Array.from(r), (k, x) => (typeof x === 'bigint' ? `${x}n` : x)));
  } catch (e) {
    return { error: err(e) };
  }
}

const who = (conn) => rows(conn, 'SELECT CURRENT_USER() AS cu, USER() AS u');

async function session(driver, account) {
  const opts = { host, port, ...account, connectTimeout: 10000 };
  return driver === 'mariadb' ? mariadb.createConnection(opts) : mysql.createConnection(opts);
}

async function run(driver) {
  const out = {};
  let conn = await session(driver, NATIVE);
  try {
    out.login = await who(conn);
    await rows(conn, 'SET @mark = 42');
    const id = driver === 'mariadb' ? 2 : 1;
    out.write = await rows(conn, `INSERT INTO ba_db.t VALUES (${id})`);
    await conn.changeUser(LIMITED);
    out.changed = await who(conn);
    // The server resets the session on COM_CHANGE_USER: the variable is gone.
    out.mark_after_change = await rows(conn, 'SELECT @mark AS mark');
    out.denied = await rows(conn, 'INSERT INTO ba_db.t VALUES (2)');
    out.allowed = await rows(conn, `SELECT COUNT(*) AS n FROM ba_db.t WHERE id = ${id}`);
    await conn.changeUser(NATIVE);
    out.back = await who(conn);
    try {
      await conn.changeUser({ user: 'ba_limited', password: 'wrong', database: 'ba_db' });
      out.bad_change = 'accepted';
    } catch (e) {
      out.bad_change = err(e);
    }
  } finally {
    await Promise.resolve(conn.end()).catch(() => conn.destroy());
  }
  try {
    conn = await session(driver, { user: 'ba_native', password: 'wrong', database: 'ba_db' });
    out.wrong_password = 'accepted';
    await conn.end();
  } catch (e) {
    out.wrong_password = err(e);
  }
  if (driver === 'mariadb') {
    // Without a database at connect (no CLIENT_CONNECT_WITH_DB) the connector leaves the
    // database out of COM_CHANGE_USER, so the server reads the collation's first byte as the
    // database and the plugin name's first two bytes as the collation (Tessera read that as
    // utf16 and answered 1231).
    const charset = 'SELECT @@character_set_client AS cs, @@collation_connection AS coll';
    conn = await session(driver, { user: NATIVE.user, password: NATIVE.password });
    try {
      try {
        await conn.changeUser({ user: NATIVE.user, password: NATIVE.password });
        out.no_db_change = { who: await who(conn), charset: await rows(conn, charset) };
      } catch (e) {
        out.no_db_change = err(e);
      }
    } finally {
      await Promise.resolve(conn.end()).catch(() => conn.destroy());
    }
    // A character set named in COM_CHANGE_USER is the new session's.
    conn = await session(driver, NATIVE);
    try {
      await conn.changeUser({ ...LIMITED, charset: 'koi8r' });
      out.koi8r_change = { who: await who(conn), charset: await rows(conn, charset) };
    } finally {
      await Promise.resolve(conn.end()).catch(() => conn.destroy());
    }
    // client_ed25519: the mariadb connector implements it; mysql2 does not.
    conn = await session(driver, ED);
    try {
      out.ed25519 = await who(conn);
      await conn.changeUser(NATIVE);
      out.ed25519_to_native = await who(conn);
      await conn.changeUser(ED);
      out.native_to_ed25519 = await who(conn);
    } finally {
      await Promise.resolve(conn.end()).catch(() => conn.destroy());
    }
  }
  return out;
}

(async () => {
  const result = {};
  for (const driver of ['mysql2', 'mariadb']) {
    try {
      result[driver] = await run(driver);
    } catch (e) {
      result[driver] = { failed: String(e && e.stack) };
    }
  }
  process.stdout.write(JSON.stringify(result) + '\n');
})();
