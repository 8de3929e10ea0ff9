import { linesLoggedBy } from '../test/support/log-capture';
import { runWithLogFields, withLogFields } from './log-context';
import { logger, logLevelFromEnv } from './logger';

describe('the root logger', () => {
  it('writes JSON lines with the level as a word, an ISO time and the fields of the work it belongs to', async () => {
    const [line] = await linesLoggedBy(() =>
      runWithLogFields({ requestId: 'r-1' }, () => {
        withLogFields({ instanceId: 'approval:x:1', actionId: undefined });
        logger.info({ route: '/x' }, 'hello');
      }),
    );
    expect(line).toMatchObject({ level: 'info', msg: 'hello', route: '/x', requestId: 'r-1', instanceId: 'approval:x:1' });
    expect(line).not.toHaveProperty('actionId');
    expect(new Date(line!.time as string).toISOString()).toBe(line!.time);
  });

  it('redacts secret-shaped fields three levels deep', async () => {
    const [line] = await linesLoggedBy(() =>
      logger.warn(
        {
          secret: 's0',
          headers: { authorization: 'Bearer t0', 'x-signature': 'sig' },
          config: { dingtalk: { appSecret: 's1', callbackSecret: 's2' }, auth: { token: 't1', password: 'p' } },
          taskToken: 'tt',
          accessToken: 'at',
          appSecretsKey: 'k',
        },
        'careful',
      ),
    );
    expect(JSON.stringify(line)).not.toMatch(/s0|t0|"sig"|s1|s2|t1|"p"|"tt"|"at"|"k"/);
    expect(line).toMatchObject({ secret: '[redacted]', headers: { authorization: '[redacted]' }, config: { dingtalk: { appSecret: '[redacted]' } } });
  });

  it('reads LOG_LEVEL in either case and refuses an unknown one', () => {
    expect(logLevelFromEnv({ LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(logLevelFromEnv({})).toBe('info');
    expect(() => logLevelFromEnv({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL/);
  });
});
