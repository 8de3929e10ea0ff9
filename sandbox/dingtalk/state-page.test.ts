import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP, callApi, callOapi, cardRequest, startFake, stopFakes, tokenOf } from './fake-test-client';

afterEach(stopFakes);

async function page(url: string): Promise<string> {
  const answer = await fetch(url);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toContain('text/html');
  return answer.text();
}

describe('the sandbox page', () => {
  it('shows each user’s cards (buttons only while actionable), todos and notices, dropped ones marked', async () => {
    const fake = await startFake();
    await callApi(
      fake,
      'POST',
      '/v1.0/card/instances/createAndDeliver',
      cardRequest('card-p', ['dt_one'], {
        cardData: {
          cardParamMap: {
            title: '张三提交的采购申请',
            initiator: '张三',
            fields: JSON.stringify([{ label: '金额', value: '12345' }]),
            statusText: '待审批',
            status: 'pending',
            actionable: 'true',
            detailUrl: 'http://127.0.0.1:3000/h5/tasks/i/t',
          },
        },
      }),
    );
    await callApi(
      fake,
      'POST',
      '/v1.0/card/instances/createAndDeliver',
      cardRequest('card-q', ['dt_one'], { cardData: { cardParamMap: { title: '已结束', actionable: 'false' } } }),
    );
    await callApi(fake, 'POST', '/v1.0/todo/users/un_one/tasks', {
      sourceId: 's',
      subject: '请审批 <script>',
      executorIds: ['un_one'],
      detailUrl: { appUrl: 'http://127.0.0.1:3000/h5', pcUrl: 'http://127.0.0.1:3000/h5' },
    });
    const msg = {
      msgtype: 'action_card',
      action_card: { title: '审批提醒', markdown: '**第一行**\n第二行', single_title: '去审批', single_url: 'http://127.0.0.1:3000/h5' },
    };
    await callOapi(fake, '/topapi/message/corpconversation/asyncsend_v2', { agent_id: APP.agentId, userid_list: 'dt_one', msg });
    await callOapi(fake, '/topapi/message/corpconversation/asyncsend_v2', { agent_id: APP.agentId, userid_list: 'dt_one', msg });

    const html = await page(`${fake.url}/`);
    expect(html).toContain('name="viewport"');
    expect(html).not.toMatch(/<(script|link)\b[^>]*(src|href)=/);
    expect(html).toContain('一号审批人');
    expect(html).toContain('张三提交的采购申请');
    expect(html).toContain('<dt>金额</dt><dd>12345</dd>');
    expect(html).toContain('查看详情');
    expect(html.match(/<form method="post" action="\/_sandbox\/click"/g)).toHaveLength(1);
    expect(html).toContain('value="approve"');
    expect(html).toContain('同意');
    expect(html).toContain('拒绝');
    expect(html).toContain('请审批 &lt;script&gt;');
    expect(html).toContain('**第一行**\n第二行');
    expect(html).toContain('当天同内容重复');
  });

  it('a button press goes through state.click (the signed HTTP callback) and lands back on the page', async () => {
    const fake = await startFake();
    let clicks = 0;
    const receiver: Server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        clicks += request.headers['x-ddpaas-signature'] ? 1 : 0;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ cardData: { cardParamMap: { actionable: 'false', statusText: '已同意' } }, cardUpdateOptions: { updateCardDataByKey: true } }),
        );
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cb`;
      await callApi(fake, 'POST', '/v1.0/card/callbacks/register', { callbackRouteKey: 'approval-test', callbackUrl, apiSecret: 'page-secret' });
      await callApi(fake, 'POST', '/v1.0/card/instances/createAndDeliver', cardRequest('card-b', ['dt_two']));

      const pressed = await fetch(`${fake.url}/_sandbox/click`, {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({ outTrackId: 'card-b', userId: 'dt_two', action: 'approve' }),
      });
      expect(pressed.status).toBe(303);
      expect(pressed.headers.get('location')).toBe('/?clicked=0#u-dt_two');
      expect(clicks).toBe(1);
      expect(fake.state.cards.get('card-b')!.cardData.cardParamMap).toMatchObject({ actionable: 'false', statusText: '已同意' });
      const html = await page(`${fake.url}/?clicked=0`);
      expect(html).toContain('回调应答 200');
      expect(html).not.toContain('action="/_sandbox/click"');

      const unknown = await fetch(`${fake.url}/_sandbox/click`, {
        method: 'POST',
        body: new URLSearchParams({ outTrackId: 'nope', userId: 'dt_two', action: 'approve' }),
      });
      expect(unknown.status).toBe(404);
    } finally {
      await new Promise((done) => receiver.close(done));
    }
  });

  it('state.json holds cards, todos, notices and calls, never a token or secret', async () => {
    const fake = await startFake();
    const token = await tokenOf(fake);
    await callApi(
      fake,
      'POST',
      '/v1.0/card/callbacks/register',
      { callbackRouteKey: 'rk', callbackUrl: 'http://127.0.0.1:1/cb', apiSecret: 'very-secret-api-secret' },
      { token },
    );
    await callApi(fake, 'POST', '/v1.0/card/instances/createAndDeliver', cardRequest('card-j', ['dt_one']), { token });
    await callOapi(fake, `/gettoken?appkey=${APP.appKey}&appsecret=${APP.appSecret}`, undefined, { method: 'GET', token: null });
    const answer = await fetch(`${fake.url}/_sandbox/state.json`);
    const text = await answer.text();
    const state = JSON.parse(text) as Record<string, unknown[]>;
    expect(state.cards).toEqual([expect.objectContaining({ outTrackId: 'card-j', templateId: 'approval_card.schema' })]);
    expect(state.cardCallbacks).toEqual([expect.objectContaining({ callbackRouteKey: 'rk', signed: true })]);
    expect(state.calls!.length).toBeGreaterThanOrEqual(4);
    for (const secret of [token, APP.appSecret, 'very-secret-api-secret']) expect(text).not.toContain(secret);
  });
});
