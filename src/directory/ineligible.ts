import { ContactwayError } from '../base/errors.js';
import { type Bilingual, t } from '../base/i18n.js';
import type { IneligibleReason } from './snapshot.js';

/** What is wrong with the member and what an admin must do about it, per reason. */
function explain(userid: string, reason: IneligibleReason): Bilingual {
  switch (reason) {
    case 'not_enabled':
      return t(
        `${userid} is not enabled for customer contact, so WeCom would refuse a contact way for them. An admin must add them in the WeCom admin console: 客户与上下游 → 客户联系 → 权限配置 (members who may use customer contact).`,
        `${userid} 未开通客户联系，企业微信会拒绝为其创建「联系我」。请管理员在企业微信管理后台「客户与上下游 → 客户联系 → 权限配置」中为其开通客户联系。`,
      );
    case 'not_activated':
      return t(
        `${userid} has not activated WeCom yet. They must accept the invitation and log in to WeCom once; an admin can resend the invitation from 通讯录.`,
        `${userid} 尚未激活企业微信。请其接受邀请并登录一次企业微信；管理员可在「通讯录」中重新发送邀请。`,
      );
    case 'disabled':
      return t(
        `${userid} is disabled in WeCom. An admin must enable the account in the admin console (通讯录 → the member → 启用).`,
        `${userid} 的企业微信账号已被禁用。请管理员在管理后台「通讯录 → 该成员 → 启用」中启用。`,
      );
    case 'left':
      return t(
        `${userid} has left the company in WeCom. Choose another member, or an admin can transfer their customers (客户联系 → 离职继承).`,
        `${userid} 已在企业微信中离职。请选择其他成员，或请管理员在「客户联系 → 离职继承」中转接其客户。`,
      );
    case 'outside_visible_range':
      return t(
        `${userid} is outside this app's visible range. An admin must add them (or their department) to the app's 可见范围 in the WeCom admin console.`,
        `${userid} 不在本应用的可见范围内。请管理员在企业微信管理后台将其（或其部门）加入本应用的「可见范围」。`,
      );
  }
}

/**
 * A member the directory knows WeCom would refuse: said before any form opens, with the fix. Code
 * `directory.ineligible`; `reason` says which check failed.
 */
export class IneligibleMemberError extends ContactwayError {
  readonly userid: string;
  readonly reason: IneligibleReason;

  constructor(userid: string, reason: IneligibleReason) {
    super('directory.ineligible', explain(userid, reason));
    this.userid = userid;
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), userid: this.userid, reason: this.reason };
  }
}
