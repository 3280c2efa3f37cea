import { describe, expect, it } from 'vitest';
import { CallbackError } from '../../src/base/errors.js';
import { encryptOf } from '../../src/callbacks/envelope.js';
import { contactEventXml, parseCallbackMessage } from '../../src/callbacks/event.js';

/** The event exactly as the reference quotes document 96361 (self-built / 代开发 format). */
const DOCUMENTED = `<xml><ToUserName><![CDATA[corpid]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>
<CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>
<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></ExternalUserID>
<State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>`;

describe('callback event parsing', () => {
  it('GIVEN the documented add event THEN every field is read, as text', () => {
    expect(parseCallbackMessage(DOCUMENTED)).toEqual({
      kind: 'contact',
      event: {
        changeType: 'add_external_contact',
        corpId: 'corpid',
        userId: 'zhangsan',
        externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA',
        createTime: 1403610513,
        state: 'teststate',
        welcomeCode: 'WELCOMECODE',
      },
    });
  });

  it('GIVEN a State made of digits THEN it stays the text it was (no number coercion)', () => {
    const xml = contactEventXml({
      changeType: 'add_half_external_contact',
      userId: 'lisi',
      externalUserId: 'wm0001',
      createTime: 1,
      state: '007',
    });
    const parsed = parseCallbackMessage(xml);
    expect(parsed.kind === 'contact' && parsed.event.state).toBe('007');
  });

  it('GIVEN del/edit/transfer events THEN they parse with Source and FailReason', () => {
    for (const changeType of ['del_external_contact', 'del_follow_user', 'edit_external_contact'] as const) {
      const parsed = parseCallbackMessage(
        contactEventXml({
          changeType,
          userId: 'u',
          externalUserId: 'e',
          createTime: 5,
          source: 'DELETE_BY_TRANSFER',
        }),
      );
      expect(parsed).toMatchObject({ kind: 'contact', event: { changeType, source: 'DELETE_BY_TRANSFER' } });
    }
    expect(
      parseCallbackMessage(
        contactEventXml({
          changeType: 'transfer_fail',
          userId: 'u',
          externalUserId: 'e',
          createTime: 5,
          failReason: 'customer_refused',
        }),
      ),
    ).toMatchObject({ event: { failReason: 'customer_refused' } });
  });

  it('GIVEN events we do not handle (other Event, unknown ChangeType, a text message) THEN ignored, not errors', () => {
    expect(
      parseCallbackMessage('<xml><MsgType>event</MsgType><Event>change_contact</Event></xml>'),
    ).toMatchObject({
      kind: 'ignored',
      event: 'change_contact',
    });
    expect(
      parseCallbackMessage(
        '<xml><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>msg_audit_approved</ChangeType></xml>',
      ),
    ).toMatchObject({ kind: 'ignored', changeType: 'msg_audit_approved' });
    expect(parseCallbackMessage('<xml><MsgType>text</MsgType><Content>hi</Content></xml>')).toMatchObject({
      kind: 'ignored',
      msgType: 'text',
    });
  });

  it('GIVEN a known event missing its key fields, or not XML THEN callback.malformed naming the fields only', () => {
    const missing = () =>
      parseCallbackMessage(
        '<xml><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><CreateTime>1</CreateTime></xml>',
      );
    expect(missing).toThrow(CallbackError);
    expect(missing).toThrow(/UserID/);
    expect(() => parseCallbackMessage('<xml><unclosed>')).toThrow(/well-formed/);
  });

  it('GIVEN a POST body THEN Encrypt is taken with or without CDATA; none, two, not base64 or not <xml> → malformed', () => {
    expect(encryptOf('<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[ab+/Q0==]]></Encrypt></xml>')).toBe(
      'ab+/Q0==',
    );
    expect(encryptOf(' <xml><Encrypt>\n ab+/Q0== \n</Encrypt></xml>\n')).toBe('ab+/Q0==');
    expect(() => encryptOf('<xml><ToUserName>x</ToUserName></xml>')).toThrow(/Encrypt/);
    expect(() => encryptOf('<xml><Encrypt>QQ==</Encrypt><Encrypt>Qg==</Encrypt></xml>')).toThrow(/single/);
    expect(() => encryptOf('<xml><Encrypt>a<b>c</Encrypt></xml>')).toThrow(/base64/);
    expect(() => encryptOf('<Encrypt>QQ==</Encrypt>')).toThrow(/<xml>/);
  });

  it('GIVEN a DOCTYPE entity THEN it is not expanded', () => {
    const xml =
      '<!DOCTYPE x [<!ENTITY a "zhangsan">]><xml><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>del_follow_user</ChangeType><UserID>&a;</UserID><ExternalUserID>e</ExternalUserID></xml>';
    const parsed = parseCallbackMessage(xml);
    expect(parsed.kind === 'contact' && parsed.event.userId).not.toBe('zhangsan');
  });
});
