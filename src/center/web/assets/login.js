// Keeps the token in a cookie the browser sends with the page and its live stream (EventSource
// cannot send headers). Set here, by the screen's operator: the server has no endpoint that changes anything.
import { STRINGS, chooseLanguage } from './strings.js';

const COOKIE = 'room_agent_board';
const text = STRINGS[chooseLanguage(location.search)];

document.title = text.loginTitle;
document.getElementById('heading').textContent = text.loginTitle;
document.getElementById('prompt').textContent = text.loginPrompt;
document.getElementById('label').textContent = text.tokenLabel;
document.getElementById('submit').textContent = text.loginButton;
if (document.cookie.split(';').some((part) => part.trim().startsWith(`${COOKIE}=`))) {
  document.getElementById('rejected').textContent = text.loginRejected;
}

document.getElementById('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = document.getElementById('token').value.trim();
  if (token === '') return;
  document.cookie = `${COOKIE}=${encodeURIComponent(token)}; path=/; SameSite=Strict; max-age=31536000`;
  location.replace(`/${location.search}`);
});
