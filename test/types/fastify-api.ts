// Type tests of the Fastify path: @fastify/session declares its Store class as an instance type.
import fastifySession from '@fastify/session';
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import sequelizeSessionStore from 'sequelize-session-store';

const SequelizeStore = sequelizeSessionStore(fastifySession.Store);
const app = Fastify();
void app.register(fastifyCookie);
void app.register(fastifySession, {
  secret: 'a secret with minimum length of 32 characters',
  store: new SequelizeStore(),
});

// A value that is neither a class nor declared as one is refused.
// @ts-expect-error pass the Store class, not a string
sequelizeSessionStore('Store');
