import type { Guard, GuardOptions } from '@sesame/guard';
import { requireScopes, sesameGuard } from '@sesame/guard/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

/** A question of the quiz; `answer` is the index of the right choice and is never sent out. */
interface Question {
  id: number;
  text: string;
  choices: string[];
  answer: number;
}

const SEED: Omit<Question, 'id'>[] = [
  { text: 'Which RFC defines JSON Web Tokens?', choices: ['RFC 6749', 'RFC 7519', 'RFC 9068'], answer: 1 },
  {
    text: 'What header type do RFC 9068 access tokens carry?',
    choices: ['JWT', 'at+jwt', 'JOSE'],
    answer: 1,
  },
];

/**
 * The quiz API: GET /questions is public, POST /answers needs scope `quiz` (a signed-in player),
 * POST /questions needs scope `admin`. Data lives in memory; every route's token check is the guard's.
 *
 * @example
 * const app = await buildQuizApi({ guard: { issuer: 'http://127.0.0.1:8080', audience: 'quiz-api' } });
 */
export async function buildQuizApi(options: { guard: Guard | GuardOptions }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(sesameGuard, 'issuer' in options.guard ? options.guard : { guard: options.guard });

  const questions: Question[] = SEED.map((question, index) => ({ id: index + 1, ...question }));
  const scores = new Map<string, { answered: number; correct: number }>();
  const publicView = ({ id, text, choices }: Question) => ({ id, text, choices });

  app.get('/questions', async () => questions.map(publicView));

  app.post(
    '/answers',
    {
      preHandler: requireScopes('quiz'),
      schema: {
        body: {
          type: 'object',
          required: ['questionId', 'choice'],
          properties: { questionId: { type: 'integer' }, choice: { type: 'integer', minimum: 0 } },
        },
      },
    },
    async (request, reply) => {
      const { questionId, choice } = request.body as { questionId: number; choice: number };
      const question = questions.find((item) => item.id === questionId);
      if (question === undefined) return reply.code(404).send({ error: 'not_found' });
      // The guard verified the token: its sub is the player, whoever sent the request.
      const player = request.auth!.sub ?? 'unknown';
      const score = scores.get(player) ?? { answered: 0, correct: 0 };
      const correct = choice === question.answer;
      score.answered++;
      if (correct) score.correct++;
      scores.set(player, score);
      return { correct, score };
    },
  );

  app.post(
    '/questions',
    {
      preHandler: requireScopes('admin'),
      schema: {
        body: {
          type: 'object',
          required: ['text', 'choices', 'answer'],
          properties: {
            text: { type: 'string', minLength: 1, maxLength: 500 },
            choices: {
              type: 'array',
              minItems: 2,
              maxItems: 6,
              items: { type: 'string', minLength: 1, maxLength: 200 },
            },
            answer: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as Omit<Question, 'id'>;
      if (body.answer >= body.choices.length) {
        return reply
          .code(400)
          .send({ error: 'invalid_request', error_description: 'answer is not one of the choices' });
      }
      const question = { id: questions.length + 1, ...body };
      questions.push(question);
      return reply.code(201).send(publicView(question));
    },
  );
  return app;
}
