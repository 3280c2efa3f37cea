import { slackDriver } from '../fixtures/slack/driver.js';
import { chatContract } from './chat-contract.js';

chatContract(slackDriver);
