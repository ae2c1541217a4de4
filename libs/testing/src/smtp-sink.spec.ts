import nodemailer from 'nodemailer';
import { startSmtpSink } from './smtp-sink';

describe('startSmtpSink', () => {
  it('receives real mail over SMTP', async () => {
    const sink = await startSmtpSink();
    try {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: sink.port,
        secure: false,
        ignoreTLS: true,
      });
      await transport.sendMail({
        from: 'a@example.com',
        to: 'b@example.com',
        subject: 'Hello there',
        text: 'hi',
        messageId: '<m1@test>',
      });
      expect(sink.messages).toEqual([
        expect.objectContaining({
          from: 'a@example.com',
          to: ['b@example.com'],
          subject: 'Hello there',
          messageId: '<m1@test>',
        }),
      ]);
      transport.close();
    } finally {
      await sink.close();
    }
  });
});
