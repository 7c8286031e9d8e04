"""REINFORCE on gymnasium's CartPole-v1 with jtorch: the PyTorch program with only the imports changed.

    python examples/reinforce.py [--episodes 200] [--gamma 0.99] [--lr 0.005] [--seed 0]

The policy is a small MLP whose softmax output parameterises `torch.distributions.Categorical`. Each
episode is played by sampling actions (without building a graph); its states, actions and discounted
returns, normalised to zero mean and unit variance, are then padded to the environment's 500-step limit,
so that the policy-gradient loss `-(log_prob(actions) * returns).sum()` has the same shapes every episode
(padded steps have return 0 and add nothing). Stops early once the running return passes CartPole's
threshold of 475. Prints the running return as it trains and the average return of the last 20 episodes
at the end (a random policy averages about 20; the maximum is 500).
"""
import argparse
import time

import gymnasium as gym
import numpy as np

import jtorch as torch
import jtorch.nn as nn
import jtorch.nn.functional as F
from jtorch.distributions import Categorical


class Policy(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.fc1 = nn.Linear(4, hidden)
        self.fc2 = nn.Linear(hidden, 2)

    def forward(self, x):
        return F.softmax(self.fc2(F.relu(self.fc1(x))), dim=-1)


def play_episode(env, policy, seed=None):
    """One episode sampling actions from the policy: (states, actions, rewards) as lists."""
    state, _ = env.reset(seed=seed)
    states, actions, rewards = [], [], []
    done = False
    while not done:
        with torch.no_grad():
            action = Categorical(policy(torch.from_numpy(state))).sample().item()
        states.append(state)
        actions.append(action)
        state, reward, terminated, truncated, _ = env.step(action)
        rewards.append(reward)
        done = terminated or truncated
    return states, actions, rewards


def normalised_returns(rewards, gamma):
    returns = np.zeros(len(rewards), dtype=np.float32)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        returns[t] = running
    return (returns - returns.mean()) / (returns.std() + 1e-8)


def padded(values, length, dtype):
    out = np.zeros((length,) + np.shape(values)[1:], dtype=dtype)
    out[:len(values)] = values
    return torch.from_numpy(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    env = gym.make("CartPole-v1")
    horizon = env.spec.max_episode_steps
    policy = Policy()
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    episode_returns = []
    running_return = 10.0
    start = time.perf_counter()
    for episode in range(1, args.episodes + 1):
        states, actions, rewards = play_episode(env, policy, seed=args.seed if episode == 1 else None)
        states = padded(np.stack(states), horizon, np.float32)
        actions = padded(actions, horizon, np.int64)
        returns = padded(normalised_returns(rewards, args.gamma), horizon, np.float32)
        loss = -(Categorical(policy(states)).log_prob(actions) * returns).sum()
        optimizer.zero_grad(); loss.backward(); optimizer.step()

        episode_returns.append(sum(rewards))
        running_return = 0.05 * sum(rewards) + 0.95 * running_return
        if episode % 20 == 0:
            print(f"episode {episode:4d}  return {sum(rewards):5.0f}  running return {running_return:6.1f}  "
                  f"({time.perf_counter() - start:.1f}s)")
        if running_return > env.spec.reward_threshold:
            print(f"solved at episode {episode}: running return {running_return:.1f}")
            break

    last = episode_returns[-20:]
    print(f"final: average return over the last {len(last)} episodes {sum(last) / len(last):.1f}")


if __name__ == "__main__":
    main()
