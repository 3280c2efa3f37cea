import { discordDriver } from '../fixtures/discord/driver.js';
import { chatContract } from './chat-contract.js';

chatContract(discordDriver);
