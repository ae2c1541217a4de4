import { brokerAddress, DEFAULT_AMQP_URL } from './broker-address';

describe('brokerAddress', () => {
  it('takes AMQP_URL, or the local broker without it', () => {
    expect(brokerAddress({}).url).toBe(DEFAULT_AMQP_URL);
    expect(brokerAddress({ AMQP_URL: 'amqp://ops:pw@rabbit:5672/shop' })).toEqual({
      url: 'amqp://ops:pw@rabbit:5672/shop',
      hostPort: 'rabbit:5672',
      user: 'ops',
      vhost: 'shop',
    });
  });

  it("takes the first node of a cluster's list, as the services are given it", () => {
    const cluster = 'amqp://ops:pw@node-1:5672/shop, amqp://ops:pw@node-2:5672/shop';
    expect(brokerAddress({ AMQP_URL: cluster })).toMatchObject({
      url: 'amqp://ops:pw@node-1:5672/shop',
      vhost: 'shop',
    });
  });
});
