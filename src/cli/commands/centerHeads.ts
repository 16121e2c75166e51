import type { CliCommandHead } from '../command.js';

/**
 * The county center's and the demo's commands as `help` lists them. Their code (src/center,
 * src/demo and commands/center.ts, commands/demo.ts) ships in the room-agent-center package, not
 * on a room's device: src/cli/main.ts loads it only when one of them runs.
 */
export const centerHeads = {
  center: {
    path: ['center'],
    synopsis:
      '--broker URL --db FILE [--files DIR] [--prefix county] [--username U] [--password-file F] [--ca F --cert F --key F] [--signing-key FILE] [--view | --no-view] [--gap-seconds N] [--http HOST:PORT [--http-public --http-token-file F] [--live-hls URL_TEMPLATE]]',
    summary: {
      zh: '运行县级参考中心：接收并校验各活动室的事件、确认、请求补发、接收文件、实时视图；--http 提供县级大屏网页',
      en: 'run the reference county center: store and verify every room’s events, acknowledge, request replays, receive files, live view; --http serves the county board page',
    },
  },
  send: {
    path: ['center', 'send'],
    synopsis:
      '--broker URL --db FILE --room ID --type TYPE [--params JSON] [--signing-key F] [--expires-in SECONDS] [--timeout S] [--json] [--prefix county] [--username U] [--password-file F] [--ca F --cert F --key F]',
    summary: {
      zh: '向一个活动室发送命令并打印回复（完成退出 0，错误回复 65，无回复 69）',
      en: 'send one command to a room and print its reply (exit 0 done, 65 error reply, 69 no reply)',
    },
  },
  recordings: {
    path: ['center', 'recordings'],
    synopsis: '--db FILE [--room ID] [--activity ID] [--json]',
    summary: {
      zh: '列出中心收到的录像分段（按活动室、活动、摄像头、序号），并指出缺少的序号',
      en: 'list the recording segments the center received (by room, activity, camera, index) and the indexes missing',
    },
  },
  keygen: {
    path: ['center', 'keygen'],
    synopsis: '--out FILE',
    summary: {
      zh: '生成中心的 Ed25519 签名密钥（PEM，权限 0600），并打印供 county.centerPublicKey 使用的公钥',
      en: 'create the center’s Ed25519 signing key (PEM, mode 0600) and print the public key for county.centerPublicKey',
    },
  },
} satisfies Record<string, CliCommandHead>;

export const demoHead: CliCommandHead = {
  path: ['demo'],
  synopsis: '[--dir DIR] [--headless] [--duration SECONDS] [--http-port PORT]',
  summary: {
    zh: '无硬件、无网络的完整演示：本机代理服务器、模拟指纹模块、活动室代理、县中心，自动播放签到与断网故事',
    en: 'the whole product without hardware or network: a local broker, the emulated scanner, the agent, the county center, and a story of sign-ins and a cut link',
  },
};
