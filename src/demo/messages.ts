import { defineMessages } from '../i18n.js';

/** The demo's words: its story, its terminal view and its errors. */
export const demoText = defineMessages({
  // errors
  noMosquitto: {
    zh: '找不到 mosquitto：请安装（Debian：apt-get install mosquitto），或运行 bash scripts/start.sh',
    en: 'mosquitto not found: install it (Debian: apt-get install mosquitto) or run bash scripts/start.sh',
  },
  noPython: {
    zh: '找不到 python3：模拟指纹模块需要它（Debian：apt-get install python3）',
    en: 'python3 not found: the emulated fingerprint module needs it (Debian: apt-get install python3)',
  },
  noCamera: {
    zh: '演示中没有摄像头（实时画面、会议照片）：缺少 Debian 软件包 {packages}；以 root 运行 bash scripts/start.sh，或 apt-get install {packages}',
    en: 'no camera in this demo (live picture, meeting photos): missing Debian packages {packages}; run bash scripts/start.sh as root, or apt-get install {packages}',
  },
  brokerExited: {
    zh: 'mosquitto 在端口 {port} 开始监听之前就退出了（见 broker.log）',
    en: 'mosquitto exited before listening on port {port} (see broker.log)',
  },
  brokerSilent: {
    zh: 'mosquitto 在 {seconds} 秒内没有在端口 {port} 监听（见 broker.log）',
    en: 'mosquitto did not listen on port {port} within {seconds} s (see broker.log)',
  },
  busy: {
    zh: '另一个演示正在 {dir} 中运行；先停止它，或用 --dir 指定另一个目录',
    en: 'another demo runs in {dir}; stop it first or give another folder with --dir',
  },
  foreign: {
    zh: '{dir} 不是空目录，也不是演示目录：演示只会清理它自己建立的目录，请用 --dir 指定另一个目录',
    en: '{dir} is neither empty nor a demo folder: the demo only ever clears a folder it made; give another one with --dir',
  },
  agentNotReady: {
    zh: '活动室代理在 {seconds} 秒内没有就绪（见 {log}）',
    en: 'the room agent was not ready within {seconds} s (see {log})',
  },
  childExited: {
    zh: '{name} 意外退出（{how}）；演示停止，见 {log}',
    en: '{name} exited unexpectedly ({how}); the demo stops, see {log}',
  },
  // the session
  roomName: { zh: '红旗村党群服务中心（演示）', en: 'Hongqi village party room (demo)' },
  headlessRunning: {
    zh: 'room-agent 演示正在运行（无终端视图，进程 {pid}）',
    en: 'room-agent demo running (headless, pid {pid})',
  },
  headlessFolder: {
    zh: '  目录：{dir}（agent.log、center.log、broker.log、story.log）',
    en: '  folder: {dir} (agent.log, center.log, broker.log, story.log)',
  },
  headlessBroker: {
    zh: '  代理服务器：{broker}（活动室经 {link} 连接，演示会切断它）',
    en: '  broker: {broker} (the room connects through {link}, which the story cuts)',
  },
  headlessBoard: { zh: '  县级大屏：{url}', en: '  county board: {url}' },
  headlessCamera: {
    zh: '摄像头：模拟摄像头 {camera}，活动期间推流到本机媒体服务器，大屏上播放；照片上传到县中心',
    en: 'camera: emulated camera {camera}, pushed to the local media server during activities, played on the board; photos go to the county',
  },
  headlessDatabase: { zh: '  县中心数据库：{file}', en: '  county center database: {file}' },
  headlessStatus: {
    zh: '  查看活动室：room-agent status --config {config}',
    en: '  look at the room: room-agent status --config {config}',
  },
  headlessStop: { zh: '  停止：Ctrl-C 或 kill {pid}', en: '  stop: Ctrl-C or kill {pid}' },
  headlessStopAfter: {
    zh: '  停止：Ctrl-C 或 kill {pid}；{seconds} 秒后自动停止',
    en: '  stop: Ctrl-C or kill {pid}; stops by itself after {seconds} s',
  },
  stopped: { zh: '演示已停止；日志与数据保留在 {dir}', en: 'demo stopped; logs and data are kept in {dir}' },
  // the story
  roster: {
    zh: '县里下发名册：{count} 名党员（{names}）',
    en: 'The county sends the roster: {count} members ({names})',
  },
  enrolling: {
    zh: '技术员为 {name} 录入右手食指：按下、抬起、再按下',
    en: 'The technician enrolls {name}: place, lift, place again',
  },
  enrolled: { zh: '{name} 的指纹已录入', en: '{name} is enrolled' },
  roundStarts: { zh: '—— 第 {round} 轮 ——', en: '—— round {round} ——' },
  activityTitle: {
    zh: '主题党日：重温入党誓词（第 {round} 轮）',
    en: 'Theme party day: renewing the oath (round {round})',
  },
  planAdded: {
    zh: '县里推送活动计划，{seconds} 秒后自动开始，进行一分钟，拍三张照片：{title}',
    en: 'The county pushes a plan that starts by itself in {seconds} s, runs a minute and takes three photos: {title}',
  },
  finger: { zh: '{name} 按指纹签到', en: '{name} places a finger to sign in' },
  fingerAgain: {
    zh: '{name} 又按了一次：提示“已签到”，不重复记录',
    en: '{name} tries again: "already signed in", no second record',
  },
  visitorFinger: {
    zh: '一位未登记的访客按下手指：拒绝并计数',
    en: 'A visitor not on the roster tries: refused and counted',
  },
  manual: {
    zh: '{name} 指纹磨损读不出，由书记 {secretary} 确认人工签到',
    en: "{name}'s worn finger cannot be read: secretary {secretary} confirms a manual sign-in",
  },
  cut: {
    zh: '4G 信号中断 {seconds} 秒：签到照常进行，记录在本地日志中排队',
    en: 'The 4G link drops for {seconds} s: sign-ins go on, queued in the local journal',
  },
  restore: { zh: '信号恢复：积压的记录补传到县中心', en: 'The link is back: the backlog drains to the county' },
  activityEnded: {
    zh: '计划的一分钟到了：活动自动结束，拍下结束照片',
    en: 'The planned minute is over: the activity ends by itself, with its end photo',
  },
  activityStillRunning: {
    zh: '计划时长已过，活动仍未结束',
    en: 'the activity still runs past its planned minute',
  },
  stepFailed: { zh: '这一步没有成功：{reason}', en: 'This step did not work: {reason}' },
  storyFailed: { zh: '演示脚本中止：{reason}', en: 'The story stopped: {reason}' },
});
