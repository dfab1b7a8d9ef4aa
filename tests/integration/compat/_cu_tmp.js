const mariadb = require('mariadb');
const port = Number(process.argv[2]);
(async () => {
  const conn = await mariadb.createConnection({ host: '127.0.0.1', port, user: 'root', password: '' });
  const q = 'SELECT DATABASE() db, @@character_set_client cs, @@collation_connection coll, CURRENT_USER() cu';
  console.log('before', await conn.query(q));
  try { await conn.changeUser({ user: 'root', password: '' }); console.log('after', await conn.query(q)); }
  catch (e) { console.log('err', e.errno, e.sqlState, e.sqlMessage); }
  await conn.end();
})();
