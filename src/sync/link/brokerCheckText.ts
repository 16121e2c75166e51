import { defineMessages } from '../../i18n.js';
import type { BrokerCheckResult, BrokerFailureKind } from './brokerCheck.js';

const t = defineMessages({
  ok: { zh: '县级服务器 {url} 连接正常（{ms} 毫秒）', en: 'county broker {url} reached ({ms} ms)' },
  failed: {
    zh: '无法连接县级服务器 {url}：{what}（{reason}）',
    en: 'cannot reach the county broker {url}: {what} ({reason})',
  },
  dns: {
    zh: '域名解析失败：请核对地址中的主机名，并检查 4G/网络和 DNS',
    en: 'DNS: the host name does not resolve; check the host in the URL, the uplink (4G) and DNS',
  },
  tcp: {
    zh: '网络连接失败（拒绝或超时）：请核对地址中的端口，检查 4G/网络和防火墙',
    en: 'TCP: the connection was refused or timed out; check the port in the URL, the uplink (4G) and firewalls',
  },
  credentials: {
    zh: 'TLS 证书文件无法使用：请核对 county.caFile、certFile、keyFile',
    en: 'a TLS file cannot be used: check county.caFile, certFile and keyFile',
  },
  tls: {
    zh: 'TLS 握手失败：请核对县级 CA 证书（county.caFile）、客户端证书和地址中的主机名',
    en: 'TLS: the handshake failed; check the county CA (county.caFile), the client certificate and the host in the URL',
  },
  clock: {
    zh: '本机时钟不对，证书因此无效：请校正时间（timedatectl）后再试',
    en: "the clock: the certificates are not valid at this device's time; set the clock (timedatectl) and try again",
  },
  auth: {
    zh: '认证失败：服务器拒绝了用户名、密码或客户端证书，请向县里核对',
    en: 'auth: the broker refused the user name, password or client certificate; check them with the county',
  },
  refused: { zh: '服务器拒绝了连接', en: 'the broker refused the connection' },
  timeout: {
    zh: '服务器接受了连接但没有应答 MQTT（端口是否为 TLS 端口？）',
    en: 'the broker accepted the connection but did not answer MQTT (a TLS port given as mqtt://, or the reverse?)',
  },
});

/** What a technician reads of a check's failure kind, in the reader's language. */
export function brokerFailureAdvice(kind: BrokerFailureKind): string {
  return t(kind);
}

/** One line for the terminal: reached, or where it failed and the cause. */
export function brokerCheckLine(result: BrokerCheckResult): string {
  if (result.ok) return t('ok', { url: result.url, ms: result.ms });
  return t('failed', { url: result.url, what: brokerFailureAdvice(result.kind), reason: result.reason });
}
