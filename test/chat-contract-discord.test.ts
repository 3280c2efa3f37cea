import { chatContract } from './chat-contract.js';
import { discordDriver } from './fixtures/discord/driver.js';

chatContract(discordDriver);
