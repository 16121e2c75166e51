import { defineMessages } from '../../i18n.js';

/** The board's messages to the operator who starts it (the page's own strings are in assets/strings.js). */
export const webText = defineMessages({
  badAddress: {
    zh: '--http 必须是 主机:端口，例如 127.0.0.1:8080 或 [::1]:8080，而不是 "{address}"',
    en: '--http must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080, got "{address}"',
  },
  needsPublic: {
    zh: '--http {host} 不是本机回环地址：县级大屏页面面向网络开放时需要同时给出 --http-public 和访问令牌',
    en: '--http {host} is not a loopback address: serving the county board to the network needs --http-public and a token',
  },
  needsToken: {
    zh: '--http {host} 面向网络：需要访问令牌（--http-token-file FILE 或环境变量 ROOM_AGENT_HTTP_TOKEN）',
    en: '--http {host} faces the network: it needs a token (--http-token-file FILE or ROOM_AGENT_HTTP_TOKEN)',
  },
  shortToken: {
    zh: '县级大屏的访问令牌至少需要 {min} 个字符',
    en: 'the county board token must be at least {min} characters long',
  },
  listenFailed: {
    zh: '县级大屏无法监听 {address}：{reason}',
    en: 'the county board cannot listen on {address}: {reason}',
  },
  assetsMissing: {
    zh: '找不到县级大屏的页面文件 {file}：它们随源码树和软件包提供',
    en: 'the county board page file {file} is missing: it ships with the source tree and the package',
  },
  badLiveTemplate: {
    zh: '--live-hls 必须是含 {room}（可含 {camera}）的 http(s) 地址，例如 http://127.0.0.1:8080/hls/{room}-{camera}/index.m3u8，而不是 "{template}"',
    en: '--live-hls must be an http(s) URL naming {room} (and {camera}), e.g. http://127.0.0.1:8080/hls/{room}-{camera}/index.m3u8, got "{template}"',
  },
  serving: { zh: '县级大屏：{url}', en: 'county board: {url}' },
});
