// The benchmark's peer: a discord.js 14 bot that, per vote button click, does the durable work our
// bot does (store the vote in PostgreSQL with synchronous commit, read the step's tally) and then
// answers with the updated message (type 7). Started by `Bot.Benchmarks interactions`; talks the
// line protocol of bot-child: prints "BENCH READY", answers "stop" with "BENCH STATS {json}".
'use strict';
const { Client, GatewayIntentBits, Events } = require('discord.js');
const { Pool } = require('pg');
const readline = require('node:readline');

const env = (name) => {
  const value = process.env[name];
  if (!value) { console.error(`peer: ${name} is not set`); process.exit(2); }
  return value;
};

// PEER_PAD_BYTES=<n>, a diagnostic: each vote's history row also carries n bytes that do not
// compress, so the peer can write about as much WAL per vote as the bot does.
const padBytes = Number(process.env.PEER_PAD_BYTES ?? 0);
const pad = () => (padBytes > 0 ? require('node:crypto').randomBytes(Math.ceil(padBytes / 2)).toString('hex').slice(0, padBytes) : null);

const pool = new Pool({ connectionString: env('PEER_POSTGRES'), max: 16 });
const contractorRole = env('PEER_CONTRACTOR_ROLE');
const client = new Client({
  intents: [GatewayIntentBits.Guilds],
  rest: { api: env('PEER_API_BASE') },
  // The fake sends no GUILD_CREATE wait beyond READY; do not wait 15 s for guilds.
  waitGuildTimeout: 0,
});

const latencies = [];
let withoutAnswer = 0;

// roles.cache holds only roles the guild cache knows (the fake's GUILD_CREATE lists none), so the
// member's role ids are read from the interaction's member as discord.js stored them.
function hasRole(member, role) {
  if (!member) return false;
  if (Array.isArray(member.roles)) return member.roles.includes(role);
  return member.roles.cache.has(role) || (member._roles ?? []).includes(role);
}

async function onVote(interaction) {
  const received = process.hrtime.bigint();
  const [, step, option] = interaction.customId.split(':');
  if (!hasRole(interaction.member, contractorRole)) {
    await interaction.reply({ content: 'Only contractors vote.', ephemeral: true, allowedMentions: { parse: [] } });
    return;
  }
  const db = await pool.connect();
  let tally;
  try {
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO peer_votes (step_id, voter, option, cast_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (step_id, voter) DO UPDATE SET option = EXCLUDED.option, cast_at = EXCLUDED.cast_at`,
      [step, interaction.user.id, option]);
    await db.query('INSERT INTO peer_vote_history (step_id, voter, option, cast_at, pad) VALUES ($1, $2, $3, now(), $4)', [step, interaction.user.id, option, pad()]);
    tally = (await db.query('SELECT option, count(*)::int AS n FROM peer_votes WHERE step_id = $1 GROUP BY option ORDER BY option', [step])).rows;
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    db.release();
  }
  const content = `Step ${step}: ` + tally.map((r) => `#${r.option} ${r.n}`).join(' · ');
  // Like our bot, never let message text ping anyone (the fake enforces this rule for both).
  await interaction.update({ content, components: interaction.message.components, allowedMentions: { parse: [] } });
  latencies.push(Number(process.hrtime.bigint() - received) / 1e6);
}

client.on(Events.InteractionCreate, (interaction) => {
  if (!interaction.isButton() || !interaction.customId.startsWith('vote:')) return;
  onVote(interaction).catch((error) => { withoutAnswer++; console.error('peer: ' + error.message); });
});

client.once(Events.ClientReady, () => console.log('BENCH READY'));

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line.trim() === 'measure') latencies.length = 0;
  if (line.trim() !== 'stop') return;
  const usage = process.resourceUsage();
  console.log('BENCH STATS ' + JSON.stringify({
    answered: latencies,
    withoutAnswer,
    peakRssBytes: usage.maxRSS * 1024,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  }));
  await client.destroy();
  await pool.end();
  process.exit(0);
});

(async () => {
  await pool.query(`CREATE TABLE IF NOT EXISTS peer_votes (step_id bigint NOT NULL, voter text NOT NULL, option int NOT NULL,
                    cast_at timestamptz NOT NULL, PRIMARY KEY (step_id, voter))`);
  await pool.query(`CREATE TABLE IF NOT EXISTS peer_vote_history (id bigserial PRIMARY KEY, step_id bigint NOT NULL, voter text NOT NULL,
                    option int NOT NULL, cast_at timestamptz NOT NULL, pad text)`);
  await client.login(env('PEER_TOKEN'));
})().catch((error) => { console.error('peer: ' + error.stack); process.exit(1); });
