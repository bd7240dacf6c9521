/**
 * The one file a station chain edits before uploading the mini-program.
 *
 * API_BASE_URL: where the youzhan backend answers. In production an https:// address that is
 *   registered as a "request 合法域名" in the mini-program's admin console. For a local stack
 *   (`scripts/run`) use http://127.0.0.1:8000 and tick "不校验合法域名" in DevTools.
 * TEMPLATE_IDS: the subscribe-message templates chosen in the admin console (订阅消息). The ids are
 *   public, not secrets; the backend must be configured with the same ids
 *   (WECHAT_TEMPLATE_POINTS_CREDITED). Leave a value empty to never ask for it.
 * BRAND_NAME: shown on the home page.
 *
 * No secrets belong here: the AppSecret and the WeChat Pay keys live on the backend only.
 */
module.exports = {
  API_BASE_URL: 'http://127.0.0.1:8000',
  TEMPLATE_IDS: {
    POINTS_CREDITED: 'TPL_POINTS_CREDITED_SANDBOX',
  },
  BRAND_NAME: '优站',
}
