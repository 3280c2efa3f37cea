import { chatContract } from './chat-contract.js';
import { slackDriver } from './fixtures/slack/driver.js';

chatContract(slackDriver);
