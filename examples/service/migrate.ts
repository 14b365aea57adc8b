// npm run migrate: applies pending migrations to DATABASE_URL (SQLite or PostgreSQL).
import serviceConfig from './config.js';
import { migrate, openDatabase } from './db/database.js';

const config = serviceConfig.parse();
const database = openDatabase(config.DATABASE_URL?.reveal() ?? 'sqlite:./data/development.sqlite');
try {
  const applied = await migrate(database);
  process.stdout.write(applied.length === 0 ? 'The schema is up to date.\n' : `Applied: ${applied.join(', ')}\n`);
} finally {
  await database.close();
}
